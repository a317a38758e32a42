/// Reading a record's values as the reports and the merge need them.
extension CanonicalRecord {
    /// The record's title, else its name, else its id.
    public var label: String {
        if case .text(let title)? = values[.title] { return title }
        if case .text(let name)? = values[.name] { return name }
        return id
    }

    /// The requirements the record's resolved references name, each once, in reference order.
    public var requirementKeys: [RequirementKey] {
        // A register not written by aims may repeat a reference, and the reports follow every
        // key through the crosswalks: 2,000 repeats of 4 references on each of 200 records took
        // a report 22 s. (A set even for a few references: comparing them one by one first
        // saved under 1 % of a report's time on 100,000 risks, measured.)
        var seen = Set<RequirementKey>()
        return refs.compactMap { reference in
            guard reference.resolved, let framework = reference.framework else { return nil }
            let key = RequirementKey(framework: framework, id: reference.id)
            return seen.insert(key).inserted ? key : nil
        }
    }

    /// The text of a text field, if the record has one.
    public func text(_ field: CanonicalField) -> String? {
        switch values[field] {
        case .text(let text)?: return text
        case .term(let term)?: return term.value ?? term.source
        case .date(let date)?: return date.iso ?? date.raw
        case .list(let items)?: return items.joined(separator: "; ")
        default: return nil
        }
    }

    /// The items of a list field (empty when absent).
    public func list(_ field: CanonicalField) -> [String] {
        switch values[field] {
        case .list(let items)?: return items
        case .text(let text)?: return [text]
        default: return []
        }
    }

    /// The canonical word of a term field, when recognised.
    public func termValue(_ field: CanonicalField) -> String? {
        if case .term(let term)? = values[field] { return term.value }
        return nil
    }

    /// A date field's last day as `YYYY-MM-DD` (a month or quarter ends on its last day), for
    /// comparing with a report date; nil when absent or not a valid date.
    public func lastDay(_ field: CanonicalField) -> String? {
        guard case .date(let date)? = values[field], let iso = date.iso else { return nil }
        let parts = iso.prefix(10).split(separator: "-")
        switch parts.count {
        case 1: return "\(parts[0])-12-31"
        case 2 where parts[1].hasPrefix("Q"):
            let quarter = Int(parts[1].dropFirst()) ?? 4
            return "\(parts[0])-\(["03", "06", "09", "12"][max(1, min(4, quarter)) - 1])-31"
        case 2: return "\(parts[0])-\(parts[1])-31"
        default: return String(iso.prefix(10))
        }
    }
}
