/// The kinds of record in the canonical register.
public enum RecordKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// An AI system (the AI inventory).
    case system
    /// A risk.
    case risk
    /// An applied control or Statement-of-Applicability entry.
    case control
    /// A piece of evidence.
    case evidence
    /// An impact assessment (AI system impact assessment, FRIA, DPIA).
    case assessment
    /// A data resource an AI system is trained, tested or run on (an AI-BOM `data` component).
    case dataset

    /// The key of this kind's array in the register document.
    public var collectionKey: String {
        switch self {
        case .system: return "systems"
        case .risk: return "risks"
        case .control: return "controls"
        case .evidence: return "evidence"
        case .assessment: return "assessments"
        case .dataset: return "datasets"
        }
    }

    /// Parses `system(s)`, `risk(s)`, `control(s)`, `evidence`, `assessment(s)`.
    public init?(userText: String) {
        let text = userText.lowercased()
        guard let kind = RecordKind.allCases.first(where: { $0.rawValue == text || $0.collectionKey == text }) else {
            return nil
        }
        self = kind
    }

    public static func < (lhs: RecordKind, rhs: RecordKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A value the source gave in its own words and, when recognised, its canonical term:
/// `{"value":"modify","source":"Mitigate – see plan"}`.
public struct Term: Sendable, Hashable {
    /// The canonical term; nil when the source word was not recognised.
    public var value: String?
    /// The source's own text.
    public var source: String

    /// Creates a term.
    public init(value: String?, source: String) {
        self.value = value
        self.source = source
    }
}

/// An EU AI Act risk classification, kept apart from any other rating the source uses.
public struct RiskClassification: Sendable, Hashable {
    /// `prohibited`, `high-risk`, `transparency`, `minimal`, `gpai`, `gpai-systemic` or `unknown`.
    public var value: String
    /// For high-risk systems, the Annex III area (`Annex.III(4)(a)`) or `Annex.I` when known.
    public var basis: String?
    /// The source's own text.
    public var source: String

    /// Creates a classification.
    public init(value: String, basis: String?, source: String) {
        self.value = value
        self.basis = basis
        self.source = source
    }
}

/// A normalized value of a canonical field. The larger payloads are boxed (`indirect`), so a
/// value is at most a string wide: copying a record, or reusing a cached interpretation, costs a
/// reference count, not a deep copy, and text values need no box of their own.
public enum CanonicalValue: Sendable, Hashable {
    /// Free text.
    case text(String)
    /// Several values (multi-value cells, JSON arrays, links to other records by id or name).
    case list([String])
    /// A rating on a scale.
    indirect case rating(Rating)
    /// A numeric risk score.
    indirect case score(Score)
    /// A date.
    indirect case date(DateValue)
    /// A recognised (or not) enumeration word.
    indirect case term(Term)
    /// Several enumeration words.
    case terms([Term])
    /// An EU AI Act risk class.
    indirect case riskClass(RiskClassification)
}

/// An unmapped source field kept under its original name.
public struct ExtensionField: Sendable, Hashable {
    /// The source field path, as in the source.
    public var name: String
    /// Its value.
    public var value: FieldValue

    /// Creates an extension field.
    public init(name: String, value: FieldValue) {
        self.name = name
        self.value = value
    }

    /// Takes the values of another field of its name after its own, as a list.
    mutating func join(_ other: ExtensionField) {
        value = .list(value.strings + other.value.strings)
    }
}

/// A link from a record to another record of the register.
public struct RecordLink: Sendable, Hashable {
    /// The linked record's kind.
    public var kind: RecordKind
    /// The linked record's id.
    public var id: String

    /// Creates a link.
    public init(kind: RecordKind, id: String) {
        self.kind = kind
        self.id = id
    }
}

extension CanonicalRecord {
    /// Keeps a field in `extensions`; a name already there gets both values, as a list.
    public mutating func addExtension(_ field: ExtensionField) {
        if let index = extensions.firstIndex(where: { $0.name == field.name }) {
            extensions[index].join(field)
        } else {
            extensions.append(field)
        }
    }

    /// Joins extensions of the same name into the first of them, as `addExtension` would have,
    /// for extensions appended as they came: a record of 2,000 fields kept as extensions took
    /// two million name comparisons added one at a time.
    public mutating func joinRepeatedExtensions() {
        let count = extensions.count
        guard count > 1 else { return }
        if count <= 16 {
            // A few names: looked for without hashing, and nothing made when none repeats.
            var repeated = false
            search: for later in 1..<count {
                for earlier in 0..<later where extensions[earlier].name == extensions[later].name {
                    repeated = true
                    break search
                }
            }
            guard repeated else { return }
        }
        var first: [String: Int] = [:]
        var joined: [ExtensionField] = []
        joined.reserveCapacity(count)
        for field in extensions {
            if let index = first[field.name] {
                joined[index].join(field)
            } else {
                first[field.name] = joined.count
                joined.append(field)
            }
        }
        extensions = joined
    }
}

/// One record of the canonical register (`aims-register/1`).
public struct CanonicalRecord: Sendable, Hashable {
    /// What it is.
    public var kind: RecordKind
    /// The source's own id, or `<file stem>#<n>` when the source has none.
    public var id: String
    /// The source path, as given.
    public var source: String
    /// Where the record starts in the source.
    public var locator: Locator
    /// The canonical fields that the source filled.
    public var values: CanonicalValues
    /// Requirement references, as parsed.
    public var refs: [RequirementReference]
    /// Source fields that map to no canonical field, in source order.
    public var extensions: [ExtensionField]
    /// The record that held this one in the source (a system holding its risks). Set after the
    /// record is made, not through `init`: with an optional struct parameter there, the optimizer
    /// copied every new record once more (retaining and releasing each of its strings).
    public var parent: RecordLink? = nil
    /// The source records merged into this one (`aims merge`), when there were two or more.
    public var mergedFrom: [Contribution] {
        get { provenance?.mergedFrom ?? [] }
        set { provenance = Provenance.make(newValue, conflicts) }
    }
    /// Values of merged records that lost to this record's (`aims merge`): nothing is dropped.
    public var conflicts: [FieldConflict] {
        get { provenance?.conflicts ?? [] }
        set { provenance = Provenance.make(mergedFrom, newValue) }
    }
    /// Kept apart and nil for records that were not merged, so that the records of a conversion
    /// (the hot path) carry no extra references to copy.
    private var provenance: Provenance?

    private struct Provenance: Sendable, Hashable {
        var mergedFrom: [Contribution]
        var conflicts: [FieldConflict]

        static func make(_ mergedFrom: [Contribution], _ conflicts: [FieldConflict]) -> Provenance? {
            mergedFrom.isEmpty && conflicts.isEmpty ? nil : Provenance(mergedFrom: mergedFrom, conflicts: conflicts)
        }
    }

    /// Creates a record.
    public init(kind: RecordKind, id: String, source: String, locator: Locator,
                values: CanonicalValues = CanonicalValues(), refs: [RequirementReference] = [],
                extensions: [ExtensionField] = []) {
        self.kind = kind
        self.id = id
        self.source = source
        self.locator = locator
        self.values = values
        self.refs = refs
        self.extensions = extensions
    }
}

/// One source record that a merged record was made from.
public struct Contribution: Sendable, Hashable {
    /// The source path, as given.
    public var source: String
    /// The record's id in that source.
    public var id: String
    /// Where it starts in the source.
    public var locator: Locator

    /// Creates a contribution.
    public init(source: String, id: String, locator: Locator) {
        self.source = source
        self.id = id
        self.locator = locator
    }
}

/// A value that a merged record's contributor gave for a field and that lost to the value kept.
public struct FieldConflict: Sendable, Hashable {
    /// The value that lost.
    public enum Value: Sendable, Hashable {
        /// A canonical field's value.
        case canonical(CanonicalValue)
        /// An extension's value.
        case extensionValue(FieldValue)
    }

    /// The canonical field's name (`owner`, `residualLikelihood`) or `extensions.<name>`.
    public var field: String
    /// The losing value.
    public var value: Value
    /// The contributor that gave it: its source path.
    public var source: String
    /// And its id there.
    public var id: String

    /// Creates a conflict.
    public init(field: String, value: Value, source: String, id: String) {
        self.field = field
        self.value = value
        self.source = source
        self.id = id
    }
}

/// The canonical values of a record, kept in canonical field order. A record holds a dozen or
/// so fields, so a sorted array beats a dictionary here.
public struct CanonicalValues: Sendable, Hashable, Sequence {
    /// One filled field (a struct rather than a tuple: tuple types cost a runtime metadata
    /// lookup on every generic array operation).
    public struct Entry: Sendable, Hashable {
        /// The field.
        public var field: CanonicalField
        /// Its value.
        public var value: CanonicalValue
        /// The value's JSON, when the normalizer has it made already (a value it has seen
        /// before in the same field: see `InterpretationCache`). Not part of what the entry is.
        var encoded: [UInt8]? = nil

        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.field == rhs.field && lhs.value == rhs.value
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(field)
            hasher.combine(value)
        }
    }

    private var entries: [Entry]

    /// Creates an empty set of values.
    public init() {
        entries = []
        entries.reserveCapacity(16)
    }

    /// The value of `field`, if the source gave one; setting nil removes it.
    public subscript(field: CanonicalField) -> CanonicalValue? {
        get {
            let index = position(of: field)
            return index < entries.count && entries[index].field == field ? entries[index].value : nil
        }
        set {
            if let newValue {
                set(field, newValue, encoded: nil)
            } else {
                let index = position(of: field)
                if index < entries.count && entries[index].field == field { entries.remove(at: index) }
            }
        }
    }

    /// Sets the value of `field`, with its JSON when it is made already.
    mutating func set(_ field: CanonicalField, _ value: consuming CanonicalValue, encoded: consuming [UInt8]?) {
        let index = position(of: field)
        // The value and its JSON are taken (`consuming`), not copied into the entry (each string
        // retained) and released by the caller.
        let entry = Entry(field: field, value: value, encoded: encoded)
        if index < entries.count && entries[index].field == field {
            entries[index] = entry
        } else if index == entries.count {
            // Appending when the field goes last (the usual case: sources mostly list fields in
            // much the same order) skips the general insertion path.
            entries.append(entry)
        } else {
            entries.insert(entry, at: index)
        }
    }

    /// Whether `field` has a value (without copying it).
    public func contains(_ field: CanonicalField) -> Bool {
        let index = position(of: field)
        return index < entries.count && entries[index].field == field
    }

    /// Where `field` is or would go. Compares fields only (by index, so no value is copied).
    private func position(of field: CanonicalField) -> Int {
        var index = 0
        while index < entries.count && entries[index].field < field { index += 1 }
        return index
    }

    /// Whether no field has a value.
    public var isEmpty: Bool { entries.isEmpty }

    /// Calls `body` with the filled fields in canonical order, lent rather than copied: reading
    /// them through the buffer's subscript retains none of their strings (the encoder visits every
    /// value of every record).
    public func withEntries<Result>(_ body: (UnsafeBufferPointer<Entry>) throws -> Result) rethrows -> Result {
        try entries.withUnsafeBufferPointer(body)
    }

    /// The filled fields in canonical order.
    public func makeIterator() -> IndexingIterator<[Entry]> {
        entries.makeIterator()
    }
}
