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

    /// What one cell of the current row contributes.
    enum Piece {
        case absent
        /// A text value: the cell's bytes as they are (nothing to trim), at this range of the
        /// row's bytes.
        case text(Range<Int>)
        /// A text value that was trimmed.
        case trimmed(String)
        /// The interpretation of a rating, date, term, list or references cell, from its field's
        /// cache, with its JSON.
        case cached(CachedInterpretation)
        /// The interpretation of a cell its field does not cache.
        case fresh(RecordNormalizer.Interpretation)
        /// A value kept as an extension under the column's name: the cell's bytes at this range.
        case unmapped(Range<Int>)
    }

    /// The kind of every record of the source.
    let kind: RecordKind
    /// The columns planned so far, by column number.
    private(set) var columns: [Column?] = []
    /// The mapped columns other than the id and the references, in the order their fields are
    /// written (field order).
    private(set) var valueColumns: [Int] = []
    private(set) var idColumn: Int?
    private(set) var referencesColumn: Int?
    /// The current row's pieces, by column number (reused from row to row).
    var pieces: [Piece] = []

    init(kind: RecordKind) {
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
        valueColumns = ordered.sorted { $0.field < $1.field }.map(\.number)
    }
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
        // Without a profile, the kind of a source's top-level records is decided by the first.
        guard writesFlatRows, record.parent == nil, record.overLimit == nil, let kind = topLevelKind else { return false }
        if flatRows?.kind != kind { flatRows = FlatRowPlan(kind: kind) }
        return record.fields.withByteFields { bytes, fields in
            defer { clearPieces(of: fields) }
            guard readPieces(of: fields, in: bytes, kind: kind) else { return false }
            if kind == .control {
                // A control without references is read as the reference its id names.
                let hasReferences: Bool
                switch flatRows!.referencesColumn.map({ flatRows!.pieces[$0] }) {
                case .cached(let cell)?: hasReferences = !cell.interpretation.references.isEmpty
                case .fresh(let interpretation)?: hasReferences = !interpretation.references.isEmpty
                default: hasReferences = false
                }
                guard hasReferences else { return false }
            }
            for field in fields {
                let warnings: [String]
                switch flatRows!.pieces[field.column] {
                case .cached(let cell): warnings = cell.interpretation.warnings
                case .fresh(let interpretation): warnings = interpretation.warnings
                default: continue
                }
                for warning in warnings { diagnostics.emit(Diagnostic(.warning, warning, at: record.locator)) }
            }
            // Written from the plan moved out and back, so that nothing copies this normalizer
            // (every collection it holds retained and released) or the plan for the row.
            let (stem, source) = (sourceStem, sourcePath)
            let plan = flatRows.take()!
            records.append(kind: kind) { json in
                plan.write(fields, in: bytes, idStem: stem, source: source, ordinal: record.ordinal, locator: record.locator, into: &json)
            }
            flatRows = consume plan
            return true
        } ?? false
    }

    /// Reads each cell of the row into its column's piece; false when the row takes the general
    /// path.
    private mutating func readPieces(of fields: UnsafeBufferPointer<PendingFields.Field>, in bytes: UnsafeBufferPointer<UInt8>,
                                     kind: RecordKind) -> Bool {
        for field in fields {
            guard field.column >= 0, case .bytes(let start, let end) = field.value else { return false }
            if field.column >= flatRows!.columns.count || flatRows!.columns[field.column] == nil {
                guard let slot = slotIndex(for: SourceField(path: field.path, value: .text(""), column: field.column), kind: kind) else {
                    return false
                }
                flatRows!.add(number: field.column, path: field.path, slot: slot, target: slots[slot].target)
            }
            let column = flatRows!.columns[field.column]!
            guard !column.general, column.path == field.path else { return false }
            let cell = UnsafeBufferPointer(rebasing: bytes[start..<end])
            let piece: FlatRowPlan.Piece
            switch column.target {
            case nil:
                noteUnmapped(slot: column.slot)
                piece = .unmapped(start..<end)
            case let target? where target.valueType.isInterpreted || target.valueType == .list:
                piece = self.piece(ofCell: cell, path: field.path, as: target, slot: column.slot)
            case .some:
                // A text value is its trimmed text (`valueText`): most cells have nothing to trim.
                if let head = cell.first, let tail = cell.last, head > 0x20, head < 0x80, tail > 0x20, tail < 0x80 {
                    piece = .text(start..<end)
                } else {
                    piece = .trimmed(String(decoding: cell, as: UTF8.self).trimmingWhitespace())
                }
            }
            flatRows!.pieces[field.column] = piece
        }
        return true
    }

    /// Empties the pieces the row's cells filled.
    private mutating func clearPieces(of fields: UnsafeBufferPointer<PendingFields.Field>) {
        for field in fields where field.column >= 0 && field.column < flatRows!.pieces.count {
            flatRows!.pieces[field.column] = .absent
        }
    }
}

extension FlatRowPlan {
    /// Writes the row's JSON from its pieces, in `RegisterEncoding.write`'s order.
    /// `idStem` and `ordinal` make the id of a row without one, as `normalize` does.
    func write(_ fields: UnsafeBufferPointer<PendingFields.Field>, in bytes: UnsafeBufferPointer<UInt8>, idStem: String,
               source: String, ordinal: Int, locator: Locator, into json: inout JSONBuffer) {
        json.beginObject()
        json.string("kind", kind.rawValue)
        switch idColumn.map({ pieces[$0] }) {
        case .text(let range)?: json.string("id", utf8: UnsafeBufferPointer(rebasing: bytes[range]))
        case .trimmed(let id)?: json.string("id", id)
        default: json.string("id", "\(idStem)#\(ordinal + 1)")
        }
        var groups = RegisterEncoding.ValueGroups()
        for number in valueColumns {
            let field = columns[number]!.target!
            switch pieces[number] {
            case .text(let range):
                json.string(groups.key(for: field, in: &json), utf8: UnsafeBufferPointer(rebasing: bytes[range]))
            case .trimmed(let text):
                json.string(groups.key(for: field, in: &json), text)
            case .cached(let cell):
                guard let encoded = cell.encodedValue else { continue }
                json.encoded(groups.key(for: field, in: &json), encoded)
            case .fresh(let interpretation):
                guard let value = interpretation.value else { continue }
                RegisterEncoding.write(value, key: groups.key(for: field, in: &json), into: &json)
            case .absent, .unmapped:
                continue
            }
        }
        groups.close(in: &json)
        switch referencesColumn.map({ pieces[$0] }) {
        case .cached(let cell)? where cell.encodedReferences != nil:
            json.encoded("refs", cell.encodedReferences!)
        case .cached(let cell)?:
            writeReferences(cell.interpretation.references, into: &json)
        case .fresh(let interpretation)?:
            writeReferences(interpretation.references, into: &json)
        default:
            writeReferences([], into: &json)
        }
        json.beginObject("extensions")
        for field in fields {
            switch pieces[field.column] {
            case .unmapped(let range):
                json.key(field.path)
                json.string(nil, utf8: UnsafeBufferPointer(rebasing: bytes[range]))
            case .cached(let cell) where !cell.interpretation.unrecognised.isEmpty:
                writeUnrecognised(cell.interpretation.unrecognised, of: field.path, into: &json)
            case .fresh(let interpretation) where !interpretation.unrecognised.isEmpty:
                writeUnrecognised(interpretation.unrecognised, of: field.path, into: &json)
            default:
                continue
            }
        }
        json.endObject()
        json.string("source", source)
        RegisterEncoding.write(locator, into: &json)
        json.endObject()
    }

    private func writeReferences(_ references: [RequirementReference], into json: inout JSONBuffer) {
        json.beginArray("refs")
        for reference in references { RegisterEncoding.write(reference, into: &json) }
        json.endArray()
    }

    /// Pieces of a references cell that name no requirement, kept as `apply` keeps them.
    private func writeUnrecognised(_ kept: [String], of path: String, into json: inout JSONBuffer) {
        let value: FieldValue = kept.count == 1 ? .text(kept[0]) : .list(kept)
        json.key(path)
        RegisterEncoding.write(value, key: nil, into: &json)
    }
}
