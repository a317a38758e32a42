import Crypto

/// Writes the crosswalks as an OSCAL mapping-collection document (OSCAL 1.1 mapping model):
/// one `mappings` entry per crosswalk file, one `maps` entry per authored edge. Derived inverses
/// are left out (OSCAL readers derive them the same way). UUIDs are name-based (version 5) from
/// the crosswalk and edge, so the same data always gives the same document.
public enum OSCALMappingExport {
    /// The OSCAL model version written in the metadata.
    public static let oscalVersion = "1.1.3"

    /// The document's bytes.
    public static func document(_ library: MappingLibrary, lastModified: String) -> [UInt8] {
        var json = JSONBuffer()
        json.beginObject()
        json.beginObject("mapping-collection")
        json.string("uuid", uuid("aims-bridge/mapping-collection"))
        json.beginObject("metadata")
        json.string("title", "AIMS Bridge crosswalks between ISO/IEC 42001 and related frameworks")
        json.string("last-modified", lastModified)
        json.string("version", "1.0")
        json.string("oscal-version", oscalVersion)
        json.endObject()
        json.beginObject("provenance")
        json.string("method", "human")
        json.string("matching-rationale", "semantic")
        json.string("status", "complete")
        json.string("mapping-description", "Authored by the AIMS Bridge team; see each mapping's remarks for its basis.")
        json.endObject()
        json.beginArray("mappings")
        for crosswalk in library.crosswalks {
            json.beginObject()
            json.string("uuid", uuid("aims-bridge/crosswalk/\(crosswalk.name)"))
            resource("source-resource", crosswalk.sourceFramework, into: &json)
            resource("target-resource", crosswalk.targetFramework, into: &json)
            json.beginArray("maps")
            for edge in crosswalk.edges {
                json.beginObject()
                json.string("uuid", uuid("aims-bridge/crosswalk/\(crosswalk.name)/\(edge.source)/\(edge.target)"))
                json.string("relationship", relationship(edge.relationship))
                json.beginArray("sources")
                item(edge.source, library: library, into: &json)
                json.endArray()
                json.beginArray("targets")
                item(edge.target, library: library, into: &json)
                json.endArray()
                json.string("matching-rationale", edge.rationale == .structural ? "syntactic" : edge.rationale.rawValue)
                json.string("remarks", edge.relationship == .related ? "Unqualified concept link (related). \(edge.note)" : edge.note)
                json.endObject()
            }
            json.endArray()
            json.string("remarks", "\(crosswalk.basis) Licence: \(crosswalk.licence). Date: \(crosswalk.date).")
            json.endObject()
        }
        json.endArray()
        json.endObject()
        json.endObject()
        return json.bytes + [0x0A]
    }

    /// OSCAL relationship tokens: `equal` is `equal-to`; `related` (which OSCAL lacks) is written
    /// as `intersects-with` with a remark saying so.
    static func relationship(_ relationship: Relationship) -> String {
        switch relationship {
        case .equal: return "equal-to"
        case .subsetOf: return "subset-of"
        case .supersetOf: return "superset-of"
        case .intersectsWith, .related: return "intersects-with"
        case .noRelationship: return "no-relationship"
        }
    }

    private static func resource(_ key: StaticString, _ framework: String, into json: inout JSONBuffer) {
        json.beginObject(key)
        json.string("type", "catalog")
        json.string("href", "#\(framework)")
        json.endObject()
    }

    private static func item(_ key: RequirementKey, library: MappingLibrary, into json: inout JSONBuffer) {
        let kind = library.catalog(key.framework)?[key.id]?.kind ?? "control"
        json.beginObject()
        json.string("type", kind == "control" || kind == "subcategory" ? "control" : "statement")
        json.string("id-ref", key.id)
        json.endObject()
    }

    /// A version-5 (SHA-1, name-based) UUID in the URL namespace.
    static func uuid(_ name: String) -> String {
        let namespace: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        var bytes = Array(Insecure.SHA1.hash(data: namespace + Array(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
