/// Records of one kind that share an id, among those a report looks up by id (every kind but
/// risks: systems, controls, evidence, assessments, datasets).
///
/// A report links an id (a risk's systems, a control's evidence, a record's parent) to the first
/// record of that kind with it, so a later one never gets the links meant for it. That happens
/// when one export lists a record twice, when the same thing comes in from two exports (a
/// CycloneDX BOM in XML and in JSON) or when two tools number their records alike. Each later
/// record is pointed out, so that the user can merge the inputs first or tell the records apart.
public enum SharedIDs {
    /// How many records are named one by one; the rest are counted in one note.
    public static let listed = 20

    /// A warning at each record whose kind and id an earlier record (in `records`' order) has
    /// already, naming that one; past `listed` of them, one note with the count of the rest.
    public static func diagnostics(for records: [CanonicalRecord]) -> [Diagnostic] {
        var first: [RecordKind: [String: Locator]] = [:]
        var result: [Diagnostic] = []
        var unlisted = 0
        for record in records where record.kind != .risk {
            guard let earlier = first[record.kind]?[record.id] else {
                first[record.kind, default: [:]][record.id] = record.locator
                continue
            }
            guard result.count < listed else {
                unlisted += 1
                continue
            }
            let kind = record.kind.rawValue
            result.append(Diagnostic(.warning, "\(kind) id '\(record.id)' is also the id of the \(kind) at \(earlier): reports link this id to that one; "
                                     + "merge the inputs first ('aims merge') if both describe the same \(kind)", at: record.locator))
        }
        if unlisted > 0 {
            result.append(Diagnostic(.note, "\(unlisted) more records have the id of an earlier record of their kind (the first \(listed) are listed above)"))
        }
        return result
    }
}
