/// How well a profile's signature matches an export.
public struct ProfileMatch: Sendable {
    /// The profile.
    public var profile: ImportProfile
    /// The share of its signature fields found, 0…1 (0 when the format or XML elements differ).
    public var score: Double
    /// Signature fields found.
    public var matched: [String]
    /// Signature fields missing.
    public var missing: [String]
}

/// Picks the import profile whose signature best matches the first records of an export.
public enum ProfileDetector {
    /// The share of signature fields a profile needs to be chosen.
    public static let threshold = 0.6

    /// Scores every profile of the export's format against the field names of `records`
    /// (`recordPath` is the XML record element path found, for profiles that name theirs).
    public static func rank(_ profiles: [ImportProfile], format: SourceFormat, records: [SourceRecord],
                            recordPath: [String]? = nil) -> [ProfileMatch] {
        var keys: Set<String> = []
        for record in records { for field in record.fields { keys.insert(HeaderKey(field.path).value) } }
        return profiles.compactMap { profile in
            guard reads(format, profile), !profile.signature.fields.isEmpty else { return nil }
            let matched = profile.signature.fields.filter { keys.contains($0) }
            let missing = profile.signature.fields.filter { !keys.contains($0) }
            var score = Double(matched.count) / Double(profile.signature.fields.count)
            if let record = profile.signature.record, let recordPath, recordPath.last != record { score = 0 }
            if let root = profile.signature.root, let recordPath, recordPath.first != root { score = 0 }
            return ProfileMatch(profile: profile, score: score, matched: matched, missing: missing)
        }
        .sorted { ($0.score, $1.profile.name) > ($1.score, $0.profile.name) }
    }

    /// The best match at or above the threshold (with at least two signature fields found).
    public static func best(_ ranked: [ProfileMatch]) -> ProfileMatch? {
        ranked.first.flatMap { $0.score >= threshold && $0.matched.count >= 2 ? $0 : nil }
    }

    /// The field names of `records` (first-seen order) that neither `profile` nor, where the
    /// profile allows it, the generic header synonyms map: they would be kept as extensions.
    public static func unmappedFields(_ records: [SourceRecord], profile: ImportProfile?) -> [String] {
        var seen: Set<String> = []
        let names = records.flatMap { $0.fields.map(\.path) }.filter { seen.insert($0).inserted }
        return names.filter { name in
            if profile?.field(for: name) != nil { return false }
            guard profile?.genericFallback ?? true else { return true }
            return RecordKind.allCases.allSatisfy { GenericProfile.field(for: name, kind: $0) == nil }
        }
    }

    /// Whether `profile` is for exports of `format` (JSON and NDJSON alike).
    static func reads(_ format: SourceFormat, _ profile: ImportProfile) -> Bool {
        family(profile.format) == family(format)
    }

    /// JSON and NDJSON are one family: the same records in either framing.
    private static func family(_ format: SourceFormat) -> String {
        format == .ndjson ? SourceFormat.json.rawValue : format.rawValue
    }
}
