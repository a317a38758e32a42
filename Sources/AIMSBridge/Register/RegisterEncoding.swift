/// Writes canonical records, sources and rejects as JSON in the documented key order of
/// `aims-register/1`.
public enum RegisterEncoding {
    /// The schema name written in every register.
    public static let schema = "aims-register/1"

    /// Writes one record, starting with its `kind` tag.
    public static func write(_ record: CanonicalRecord, into json: inout JSONBuffer) {
        json.beginObject()
        json.string("kind", record.kind.rawValue)
        json.string("id", record.id)
        // Values, references and extensions are read through buffers, by index: a `for` loop over
        // an array copies each element, retaining and releasing every string in it.
        record.values.withEntries { entries in
            var groups = ValueGroups()
            for index in entries.indices {
                let key = groups.key(for: entries[index].field, in: &json)
                if let encoded = entries[index].encoded {
                    json.encoded(key, encoded)
                } else {
                    write(entries[index].value, key: key, into: &json)
                }
            }
            groups.close(in: &json)
        }
        writeReferences(record.refs, into: &json)
        if let parent = record.parent {
            json.beginObject("parent")
            json.string("kind", parent.kind.rawValue)
            json.string("id", parent.id)
            json.endObject()
        }
        json.beginObject("extensions")
        record.extensions.withUnsafeBufferPointer { fields in
            for index in fields.indices {
                json.key(fields[index].name)
                write(fields[index].value, key: nil, into: &json)
            }
        }
        json.endObject()
        if !record.mergedFrom.isEmpty {
            json.beginArray("mergedFrom")
            for contribution in record.mergedFrom {
                json.beginObject()
                json.string("source", contribution.source)
                json.string("id", contribution.id)
                write(contribution.locator, into: &json)
                json.endObject()
            }
            json.endArray()
        }
        if !record.conflicts.isEmpty {
            json.beginArray("conflicts")
            for conflict in record.conflicts {
                json.beginObject()
                json.string("field", conflict.field)
                switch conflict.value {
                case .canonical(let value): write(value, key: "value", into: &json)
                case .extensionValue(let value): write(value, key: "value", into: &json)
                }
                json.string("source", conflict.source)
                json.string("id", conflict.id)
                json.endObject()
            }
            json.endArray()
        }
        json.string("source", record.source)
        write(record.locator, into: &json)
        json.endObject()
    }

    /// Opens and closes the objects that group a record's values (`inherent`, `treatment`, …)
    /// while the values are written in field order.
    struct ValueGroups {
        private var open: CanonicalField.JSONGroup?

        /// The key to write the value of `field` under, after closing the group before it and
        /// opening its own as needed.
        mutating func key(for field: CanonicalField, in json: inout JSONBuffer) -> StaticString {
            let placement = field.jsonPlacement
            if placement.group != open {
                if open != nil { json.endObject() }
                if let group = placement.group { json.beginObject(group.key) }
                open = placement.group
            }
            return placement.key
        }

        /// Closes the last group, if one is open.
        mutating func close(in json: inout JSONBuffer) {
            if open != nil { json.endObject() }
            open = nil
        }
    }

    /// Writes a record's `refs` array.
    static func writeReferences(_ references: [RequirementReference], into json: inout JSONBuffer) {
        json.beginArray("refs")
        // Through the buffer, by index: a `for` loop over the array copies each reference,
        // retaining and releasing every string in it.
        references.withUnsafeBufferPointer { references in
            for index in references.indices { write(references[index], into: &json) }
        }
        json.endArray()
    }

    /// Writes a source value: a string, or an array of strings.
    static func write(_ value: FieldValue, key: StaticString?, into json: inout JSONBuffer) {
        switch value {
        case .text(let text): json.string(key, text)
        case .list(let items): json.strings(key, items)
        }
    }

    /// Writes a requirement reference.
    public static func write(_ reference: RequirementReference, into json: inout JSONBuffer) {
        json.beginObject()
        if let framework = reference.framework { json.string("framework", framework) }
        json.string("id", reference.id)
        json.string("raw", reference.raw)
        json.bool("resolved", reference.resolved)
        if !reference.mappings.isEmpty {
            json.beginArray("mappings")
            for mapping in reference.mappings {
                json.beginObject()
                json.string("target", mapping.target)
                json.string("relationship", mapping.relationship)
                json.string("path", mapping.path)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
    }

    /// Writes a locator as `"locator":{"line":3,"column":1,"path":"/risks/2"}`.
    public static func write(_ locator: Locator, into json: inout JSONBuffer) {
        json.beginObject("locator")
        json.int("line", locator.line)
        json.int("column", locator.column)
        if let path = locator.path { json.string("path", path) }
        json.endObject()
    }

    /// The JSON of a canonical value, as the register writes it under its field's key.
    static func encoded(_ value: CanonicalValue) -> [UInt8] {
        var json = JSONBuffer(capacity: 64)
        write(value, key: nil, into: &json)
        return json.bytes
    }

    /// Writes a canonical value under `key`.
    static func write(_ value: CanonicalValue, key: StaticString?, into json: inout JSONBuffer) {
        switch value {
        case .text(let text):
            json.string(key, text)
        case .list(let items):
            json.strings(key, items)
        case .rating(let rating):
            json.beginObject(key)
            json.string("label", rating.label)
            if let level = rating.level { json.int("level", level) }
            if let of = rating.of { json.int("of", of) }
            if let normalized = rating.normalized { json.number("normalized", normalized) }
            json.endObject()
        case .score(let score):
            json.beginObject(key)
            json.string("label", score.label)
            if let value = score.value { json.number("value", value) }
            if let band = score.band { json.string("band", band) }
            if let of = score.of { json.int("of", of) }
            json.endObject()
        case .date(let date):
            date.raw.withUTF8Bytes { writeDate(iso: date.iso, raw: $0, key: key, into: &json) }
        case .term(let term):
            write(term, key: key, into: &json)
        case .terms(let terms):
            json.beginArray(key)
            for term in terms { write(term, key: nil, into: &json) }
            json.endArray()
        case .riskClass(let riskClass):
            json.beginObject(key)
            json.string("value", riskClass.value)
            if let basis = riskClass.basis { json.string("basis", basis) }
            json.string("source", riskClass.source)
            json.endObject()
        }
    }

    /// Writes a date value under `key` from its ISO form and its text's UTF-8 bytes: `raw` is left
    /// out when it says exactly what `iso` says (an ISO form is ASCII, so equal bytes are equal
    /// text).
    static func writeDate(iso: String?, raw: UnsafeBufferPointer<UInt8>, key: StaticString?, into json: inout JSONBuffer) {
        json.beginObject(key)
        if let iso { json.string("iso", iso) }
        if iso.map({ iso in iso.withUTF8Bytes { !$0.hasSameBytes(as: raw) } }) ?? true { json.string("raw", utf8: raw) }
        json.endObject()
    }

    private static func write(_ term: Term, key: StaticString?, into json: inout JSONBuffer) {
        json.beginObject(key)
        if let value = term.value { json.string("value", value) }
        json.string("source", term.source)
        json.endObject()
    }

    /// Writes a source summary.
    public static func write(_ summary: SourceSummary, into json: inout JSONBuffer, withKind: Bool) {
        json.beginObject()
        if withKind { json.string("kind", "source") }
        json.string("path", summary.path)
        json.string("format", summary.format)
        json.string("profile", summary.profile)
        json.string("sha256", summary.sha256)
        json.int("records", summary.records)
        json.int("converted", summary.converted)
        json.int("rejected", summary.rejected)
        json.strings("unmappedFields", summary.unmappedFields)
        json.endObject()
    }

    /// Writes a rejected record as one line of the rejects file.
    public static func write(_ rejected: RejectedRecord, into json: inout JSONBuffer) {
        json.beginObject()
        json.string("source", rejected.locator.file)
        write(rejected.locator, into: &json)
        json.string("reason", rejected.reason)
        json.string("raw", rejected.raw)
        json.endObject()
    }
}
