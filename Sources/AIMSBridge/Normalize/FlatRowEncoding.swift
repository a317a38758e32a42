/// Normalizing and encoding the rows of a CSV source read without an import profile in one
/// step, from the bytes of their cells.
///
/// Every row of a CSV source has the same columns, and most of its cells repeat. The general
/// path makes a string of every cell and a `CanonicalRecord` of every row (values, references
/// and extensions, each string retained and released), then encodes the record; on a source of
/// a million rows that was most of the conversion. Here a row's JSON is written from its cells'
/// bytes: each column's meaning is looked up once, a text cell is escaped as it is, an
/// interpreted cell (a rating, date, term, list or references) is looked up by its bytes in its
/// field's cache with its JSON made, and the row is assembled in the order of
/// `RegisterEncoding.write`, with its `ValueGroups`. The rules are the general path's own
/// (`interpretation(ofCell:…)` interprets as `apply` does, `noteUnmapped(slot:)`), and a test
/// converts sources both ways and compares the bytes.
///
/// What this path does not do, it leaves to the general one: a row takes the general path when
/// it holds a cell of a column that shares its name or its canonical field with another column
/// (the first value wins, repeated extensions are joined), or of a second references column
/// (references are merged), when it is a control without references (its id is read as one),
/// when one of its cells is not UTF-8, and when it was over a limit.
struct FlatRowPlan {
    /// How one column is written.
    struct Column {
        let path: String
        /// The normalizer's slot for the column's field.
        let slot: Int
        /// The canonical field it maps to; nil when it is kept as an extension.
        let target: CanonicalField?
        /// Set when rows holding this column take the general path.
        var general = false
    }

    /// What one cell of the current row contributes. Only plain values: a row's strings and
    /// interpretations are held apart, by index, since a piece holding them was copied (each of
    /// them retained and released) at every look.
    enum Piece {
        case absent
        /// A text value: the cell's bytes as they are (nothing to trim), at this range of the
        /// row's bytes.
        case text(Range<Int>)
        /// A text value that was trimmed: `strings[index]`.
        case trimmed(Int)
        /// The interpretation of a rating, date, term, list or references cell from its field's
        /// cache, with its JSON: `cached[index]`.
        case cached(Int)
        /// The interpretation of a cell its field does not cache: `fresh[index]`.
        case fresh(Int)
        /// A date of a field not cached: its ISO form `strings[index]`, the cell's bytes at this
        /// range as its text, and what its reading needs a warning about, if anything.
        case date(Int, Range<Int>, DateParser.Caveat?)
        /// A value kept as an extension under the column's name: the cell's bytes at this range.
        case unmapped(Range<Int>)
    }

    /// A cell's interpretation, as the normalizer gives it (see `RecordNormalizer.interpretation(ofCell:…)`).
    enum CellInterpretation {
        case cached(CachedInterpretation)
        case fresh(RecordNormalizer.Interpretation)
    }

    /// The kind of every record of the source; nil until the first row is planned.
    let kind: RecordKind?
    /// The columns planned so far, by column number.
    private(set) var columns: [Column?] = []
    /// The mapped columns other than the id and the references, with their fields, in the order
    /// the fields are written (field order).
    private(set) var valueColumns: [(field: CanonicalField, number: Int)] = []
    private(set) var idColumn: Int?
    private(set) var referencesColumn: Int?
    /// The current row's pieces, by column number, and what they hold apart (see `Piece`);
    /// reused from row to row.
    private(set) var pieces: [Piece] = []
    private(set) var strings: [String] = []
    private(set) var cached: [CachedInterpretation] = []
    private(set) var fresh: [RecordNormalizer.Interpretation] = []
    /// Whether an interpretation of the current row has warnings.
    private(set) var hasWarnings = false

    init(kind: RecordKind? = nil) {
        self.kind = kind
    }

    /// Plans a column: its field maps to `target` (nil: kept as an extension) through `slot`.
    /// A column sharing its name or its field with a planned one sends both to the general path,
    /// as does a second references column.
    mutating func add(number: Int, path: String, slot: Int, target: CanonicalField?) {
        if number >= columns.count {
            columns += Array(repeating: nil, count: number - columns.count + 1)
            pieces += Array(repeating: .absent, count: number + 1 - pieces.count)
        }
        var column = Column(path: path, slot: slot, target: target)
        for other in columns.indices {
            guard let planned = columns[other] else { continue }
            let sharesTarget = target != nil && (planned.target == target
                || (planned.target?.valueType == .references && target?.valueType == .references))
            if planned.path == path || sharesTarget {
                column.general = true
                columns[other]!.general = true
            }
        }
        columns[number] = column
        idColumn = nil
        referencesColumn = nil
        var ordered: [(field: CanonicalField, number: Int)] = []
        for index in columns.indices {
            guard let planned = columns[index], !planned.general, let field = planned.target else { continue }
            if field == .id {
                idColumn = index
            } else if field.valueType == .references {
                referencesColumn = index
            } else {
                ordered.append((field, index))
            }
        }
        valueColumns = ordered.sorted { $0.field < $1.field }
    }

    /// The slot and field of column `number`, when rows holding it go flat (its name checked
    /// too, as the normalizer's slots check theirs).
    func usableColumn(_ number: Int, path: String) -> (slot: Int, target: CanonicalField?)? {
        guard let column = columns[number], !column.general, column.path == path else { return nil }
        return (column.slot, column.target)
    }

    /// Sets the piece of a text or unmapped cell.
    mutating func set(_ piece: Piece, at column: Int) {
        pieces[column] = piece
    }

    /// Holds the trimmed text of a cell.
    mutating func hold(trimmed text: String, at column: Int) {
        pieces[column] = .trimmed(strings.count)
        strings.append(text)
    }

    /// Holds the ISO form of a date cell at `range`, and its caveat (see `Piece.date`).
    mutating func hold(date iso: String, range: Range<Int>, caveat: DateParser.Caveat?, at column: Int) {
        if caveat != nil { hasWarnings = true }
        pieces[column] = .date(strings.count, range, caveat)
        strings.append(iso)
    }

    /// Holds the interpretation of a cell. It is moved into its list (`consume`): appended as
    /// bound, it was copied (retained) and the one bound released, for every interpreted cell.
    mutating func hold(_ interpretation: consuming CellInterpretation, at column: Int) {
        switch consume interpretation {
        case .cached(let cell):
            if !cell.interpretation.warnings.isEmpty { hasWarnings = true }
            pieces[column] = .cached(cached.count)
            cached.append(consume cell)
        case .fresh(let interpretation):
            if !interpretation.warnings.isEmpty { hasWarnings = true }
            pieces[column] = .fresh(fresh.count)
            fresh.append(consume interpretation)
        }
    }

    /// Empties the row's pieces (those of `fields`) and what they hold; the buffer of a fresh
    /// interpretation's references' JSON, if one has it, for the parser to fill again.
    mutating func clear(_ fields: UnsafeBufferPointer<PendingFields.Field>) -> [UInt8]? {
        for field in fields where field.column >= 0 && field.column < pieces.count { pieces[field.column] = .absent }
        var encodingBuffer: [UInt8]?
        for index in fresh.indices where fresh[index].encodedReferences != nil {
            encodingBuffer = fresh[index].encodedReferences.take()
            break
        }
        strings.removeAll(keepingCapacity: true)
        cached.removeAll(keepingCapacity: true)
        fresh.removeAll(keepingCapacity: true)
        hasWarnings = false
        return encodingBuffer
    }

    /// Calls `body` with each warning about the cell of `column` (the row's bytes are `bytes`),
    /// made when `body` asks for it, and whether the warning names the cell's field already: a
    /// cached interpretation's do; a fresh one's, and a date's, made only when shown, do not
    /// (see `RecordNormalizer.interpretation(ofCell:…)`).
    func forEachWarning(at column: Int, in bytes: UnsafeBufferPointer<UInt8>, _ body: (() -> String, _ named: Bool) -> Void) {
        switch pieces[column] {
        case .cached(let index): for warning in cached[index].interpretation.warnings { body({ warning }, true) }
        case .fresh(let index): for warning in fresh[index].warnings { body({ warning }, false) }
        case .date(_, let range, let caveat?):
            body({ caveat.warning(about: String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)) }, false)
        default: return
        }
    }

    /// Whether the cell of `column` names a requirement.
    func hasReferences(at column: Int) -> Bool {
        switch pieces[column] {
        case .cached(let index): return cached[index].interpretation.referenceCount > 0
        case .fresh(let index): return fresh[index].referenceCount > 0
        default: return false
        }
    }
}

/// A row's cells as `PendingFields.withByteFields` lends them.
struct RowFields {
    let bytes: UnsafeBufferPointer<UInt8>
    let fields: UnsafeBufferPointer<PendingFields.Field>
    /// The fields' paths, by `PendingFields.Field.path`.
    let paths: UnsafeBufferPointer<String>
}

extension RecordNormalizer {
    /// Turns on writing rows straight to JSON (see `FlatRowPlan`), for a CSV source; it stays
    /// off for a source read with an import profile.
    mutating func writeFlatRows() {
        writesFlatRows = profile == nil
    }

    /// Normalizes a pending top-level record and appends its JSON to `records`, as `normalize`
    /// and `RegisterEncoding.write` would; false, having done nothing, when the record takes the
    /// general path (see `FlatRowPlan`).
    mutating func encodeFlatRow(_ record: PendingRecord, into records: inout EncodedRecords,
                                diagnostics: some DiagnosticCollector) -> Bool {
        // Without a profile, the kind of a source's top-level records is decided by the first,
        // and never changes.
        guard writesFlatRows, record.parent == nil, record.overLimit == nil,
              let kind = flatRows.kind ?? topLevelKind else { return false }
        if flatRows.kind != kind { flatRows = FlatRowPlan(kind: kind) }
        // The plan is swapped out for the row and back (moves, no copies): a plan read in place
        // through `self` from the closures below was copied, each of its arrays retained and
        // released. (`consume` of the variable, which the closures capture, to put it back
        // crashed at run time with Swift 6.3: "UnsafeMutablePointer.initialize overlapping range".)
        var plan = FlatRowPlan()
        swap(&plan, &flatRows)
        defer { swap(&plan, &flatRows) }
        return record.fields.withByteFields { bytes, fields, paths in
            defer {
                if let buffer = plan.clear(fields) { reuseReferencesBuffer(buffer) }
            }
            return encode(record, RowFields(bytes: bytes, fields: fields, paths: paths), kind: kind, plan: &plan, into: &records,
                          diagnostics: diagnostics)
        } ?? false
    }

    /// `encodeFlatRow` for the row's cells. The plan is a parameter, not a variable the closure
    /// above captures: the plan's methods were handed a copy of a captured one (each of its
    /// arrays retained and released, three times a row).
    private mutating func encode(_ record: PendingRecord, _ row: RowFields, kind: RecordKind, plan: inout FlatRowPlan,
                                 into records: inout EncodedRecords, diagnostics: some DiagnosticCollector) -> Bool {
        guard readPieces(of: row, kind: kind, into: &plan) else { return false }
        if kind == .control {
            // A control without references is read as the reference its id names.
            guard let column = plan.referencesColumn, plan.hasReferences(at: column) else { return false }
        }
        if plan.hasWarnings {
            for field in row.fields {
                plan.forEachWarning(at: field.column, in: row.bytes) { warning, named in
                    diagnostics.emit(.warning, at: record.locator) { named ? warning() : "\(row.paths[field.path]): \(warning())" }
                }
            }
        }
        let (stem, source) = (sourceStem, sourcePath)
        records.append(kind: kind, lending: plan) { plan, json in
            plan.write(row, kind: kind, idStem: stem, source: source, ordinal: record.ordinal, locator: record.locator, into: &json)
        }
        return true
    }

    /// Reads each cell of the row into its column's piece; false when the row takes the general
    /// path.
    private mutating func readPieces(of row: RowFields, kind: RecordKind, into plan: inout FlatRowPlan) -> Bool {
        for field in row.fields {
            guard field.column >= 0, case .bytes(let start, let end) = field.value else { return false }
            // The path is read in place where it is used, not bound: a binding was a retain and a
            // release for every cell.
            if field.column >= plan.columns.count || plan.columns[field.column] == nil {
                let path = row.paths[field.path]
                guard let slot = slotIndex(for: SourceField(path: path, value: .text(""), column: field.column), kind: kind) else {
                    return false
                }
                plan.add(number: field.column, path: path, slot: slot, target: slots[slot].target)
            }
            guard let column = plan.usableColumn(field.column, path: row.paths[field.path]) else { return false }
            let cell = UnsafeBufferPointer(rebasing: row.bytes[start..<end])
            switch column.target {
            case nil:
                noteUnmapped(slot: column.slot)
                plan.set(.unmapped(start..<end), at: field.column)
            case let target? where target.valueType == .date && !slots[column.slot].cache.holds(count: cell.count)
                && String.hasVisibleEnds(cell):
                // A date its field does not cache is written from its ISO form and its bytes,
                // without an interpretation (a cell that is not a date takes one, for its warning).
                if let (iso, caveat) = dates.isoDate(cell) {
                    plan.hold(date: iso, range: start..<end, caveat: caveat, at: field.column)
                } else {
                    plan.hold(interpretation(ofCell: cell, path: field.path, of: row.paths, as: target, slot: column.slot), at: field.column)
                }
            case let target? where target.valueType.isInterpreted || target.valueType == .list:
                plan.hold(interpretation(ofCell: cell, path: field.path, of: row.paths, as: target, slot: column.slot), at: field.column)
            case .some:
                // A text value is its trimmed text (`valueText`): most cells have nothing to trim.
                if String.hasVisibleEnds(cell) {
                    plan.set(.text(start..<end), at: field.column)
                } else {
                    plan.hold(trimmed: String(decoding: cell, as: UTF8.self).trimmingWhitespace(), at: field.column)
                }
            }
        }
        return true
    }
}

extension FlatRowPlan {
    /// Writes the row's JSON from its pieces, in `RegisterEncoding.write`'s order.
    /// `idStem` and `ordinal` make the id of a row without one, as `normalize` does.
    func write(_ row: RowFields, kind: RecordKind, idStem: String, source: String, ordinal: Int, locator: Locator,
               into json: inout JSONBuffer) {
        let bytes = row.bytes
        json.beginObject()
        json.string("kind", kind.rawValue)
        switch idColumn.map({ pieces[$0] }) {
        case .text(let range)?: json.string("id", utf8: UnsafeBufferPointer(rebasing: bytes[range]))
        case .trimmed(let index)?: json.string("id", strings[index])
        default: json.string("id", "\(idStem)#\(ordinal + 1)")
        }
        var groups = RegisterEncoding.ValueGroups()
        for (field, number) in valueColumns {
            switch pieces[number] {
            case .text(let range):
                json.string(groups.key(for: field, in: &json), utf8: UnsafeBufferPointer(rebasing: bytes[range]))
            case .trimmed(let index):
                json.string(groups.key(for: field, in: &json), strings[index])
            case .cached(let index):
                guard let encoded = cached[index].encodedValue else { continue }
                json.encoded(groups.key(for: field, in: &json), encoded)
            case .fresh(let index):
                guard let value = fresh[index].value else { continue }
                RegisterEncoding.write(value, key: groups.key(for: field, in: &json), into: &json)
            case .date(let index, let range, _):
                RegisterEncoding.writeDate(iso: strings[index], raw: UnsafeBufferPointer(rebasing: bytes[range]),
                                           key: groups.key(for: field, in: &json), into: &json)
            case .absent, .unmapped:
                continue
            }
        }
        groups.close(in: &json)
        // The references' JSON is the parser's, joined from each piece's (none with --expand).
        switch referencesColumn.map({ pieces[$0] }) {
        case .cached(let index)? where cached[index].interpretation.encodedReferences != nil:
            json.encoded("refs", cached[index].interpretation.encodedReferences!)
        case .cached(let index)?:
            RegisterEncoding.writeReferences(cached[index].interpretation.references, into: &json)
        case .fresh(let index)? where fresh[index].encodedReferences != nil:
            json.encoded("refs", fresh[index].encodedReferences!)
        case .fresh(let index)?:
            RegisterEncoding.writeReferences(fresh[index].references, into: &json)
        default:
            RegisterEncoding.writeReferences([], into: &json)
        }
        json.beginObject("extensions")
        for field in row.fields {
            // Pieces of a references cell that name no requirement are kept as `apply` keeps them.
            switch pieces[field.column] {
            case .unmapped(let range):
                json.key(row.paths[field.path])
                json.string(nil, utf8: UnsafeBufferPointer(rebasing: bytes[range]))
            case .cached(let index) where !cached[index].interpretation.unrecognised.isEmpty:
                FlatRowPlan.write(cached[index].interpretation.unrecognisedValue!, named: row.paths[field.path], into: &json)
            case .fresh(let index) where !fresh[index].unrecognised.isEmpty:
                FlatRowPlan.write(fresh[index].unrecognisedValue!, named: row.paths[field.path], into: &json)
            default:
                continue
            }
        }
        json.endObject()
        json.string("source", source)
        RegisterEncoding.write(locator, into: &json)
        json.endObject()
    }

    private static func write(_ value: FieldValue, named name: String, into json: inout JSONBuffer) {
        json.key(name)
        RegisterEncoding.write(value, key: nil, into: &json)
    }
}
