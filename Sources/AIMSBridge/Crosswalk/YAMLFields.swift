import Yams

/// Reads typed values from a YAML mapping node and reports what is wrong with them at the line
/// and column where it is, compiler style (`catalog.yaml:12:5: error: …`).
struct YAMLFields {
    let file: String
    let mapping: Node.Mapping
    let mark: Mark?
    let diagnostics: any DiagnosticCollector

    /// Wraps `node` if it is a mapping; otherwise reports that one was expected.
    init?(_ node: Node, file: String, what: String, diagnostics: any DiagnosticCollector) {
        guard case .mapping(let mapping) = node else {
            diagnostics.emit(Diagnostic(.error, "expected \(what) (a mapping of keys to values)",
                                        at: YAMLFields.locator(file, node.mark)))
            return nil
        }
        self.file = file
        self.mapping = mapping
        self.mark = node.mark
        self.diagnostics = diagnostics
    }

    static func locator(_ file: String, _ mark: Mark?) -> Locator {
        Locator(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Where this mapping starts.
    var locator: Locator { YAMLFields.locator(file, mark) }

    /// The value node of `key`.
    func node(_ key: String) -> Node? {
        mapping.first { $0.key.string == key }?.value
    }

    /// A string value; reports a missing required key or a non-scalar value.
    func string(_ key: String, required: Bool = true) -> String? {
        guard let node = node(key) else {
            if required { diagnostics.emit(Diagnostic(.error, "missing key '\(key)'", at: locator)) }
            return nil
        }
        guard case .scalar(let scalar) = node else {
            diagnostics.emit(Diagnostic(.error, "'\(key)' must be a single value", at: YAMLFields.locator(file, node.mark)))
            return nil
        }
        return scalar.string
    }

    /// An integer value in `range`.
    func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = node(key), let text = string(key, required: false) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            diagnostics.emit(Diagnostic(.error, "'\(key)' must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'",
                                        at: YAMLFields.locator(file, node.mark)))
            return nil
        }
        return value
    }

    /// A value that must be one of `choices`, with a "did you mean" hint.
    func choice(_ key: String, _ choices: [String]) -> String? {
        guard let text = string(key) else { return nil }
        guard choices.contains(text) else {
            let hint = EditDistance.hint(for: text, in: choices)
            diagnostics.emit(Diagnostic(.error, "'\(text)' is not a valid \(key) (\(choices.joined(separator: ", ")))\(hint)",
                                        at: YAMLFields.locator(file, node(key)?.mark)))
            return nil
        }
        return text
    }

    /// The items of a sequence value.
    func sequence(_ key: String) -> [Node]? {
        guard let node = node(key) else {
            diagnostics.emit(Diagnostic(.error, "missing key '\(key)'", at: locator))
            return nil
        }
        guard case .sequence(let items) = node else {
            diagnostics.emit(Diagnostic(.error, "'\(key)' must be a list", at: YAMLFields.locator(file, node.mark)))
            return nil
        }
        return Array(items)
    }

    /// A list of strings (a single string counts as a one-item list; absent, an empty list).
    func strings(_ key: String) -> [String] {
        guard let node = node(key) else { return [] }
        switch node {
        case .scalar(let scalar): return [scalar.string]
        case .sequence(let items):
            return items.compactMap { item in
                guard case .scalar(let scalar) = item else {
                    diagnostics.emit(Diagnostic(.error, "each item of '\(key)' must be a single value", at: YAMLFields.locator(file, item.mark)))
                    return nil
                }
                return scalar.string
            }
        default:
            diagnostics.emit(Diagnostic(.error, "'\(key)' must be a list", at: YAMLFields.locator(file, node.mark)))
            return []
        }
    }

    /// An entry of a mapping of single values to single values (see `scalarEntries`).
    struct ScalarEntry {
        let key: String
        let value: String
        /// Where the value is.
        let valueMark: Mark?
    }

    /// The entries of a mapping of single values to single values (a profile's field map, its
    /// terms), in order. An entry with a list or a mapping for its key or value is reported and
    /// left out: skipped without a word, a mistyped profile would quietly map less.
    var scalarEntries: [ScalarEntry] {
        mapping.compactMap { key, value in
            guard case .scalar(let name) = key else {
                diagnostics.emit(Diagnostic(.error, "a key here must be a single value", at: YAMLFields.locator(file, key.mark)))
                return nil
            }
            guard case .scalar(let text) = value else {
                diagnostics.emit(Diagnostic(.error, "'\(name.string)' must be a single value", at: YAMLFields.locator(file, value.mark)))
                return nil
            }
            return ScalarEntry(key: name.string, value: text.string, valueMark: value.mark)
        }
    }

    /// Warns about keys that are not among `known` (a misspelt key would otherwise be ignored).
    func warnUnknownKeys(_ known: [String]) {
        for (key, _) in mapping {
            guard let name = key.string, !known.contains(name) else { continue }
            let hint = EditDistance.hint(for: name, in: known, limit: 3)
            diagnostics.emit(Diagnostic(.warning, "unknown key '\(name)'\(hint)", at: YAMLFields.locator(file, key.mark)))
        }
    }

    /// Parses YAML text into a node, reporting syntax errors at their position.
    static func compose(_ text: String, file: String, diagnostics: any DiagnosticCollector) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                diagnostics.emit(Diagnostic(.error, "empty YAML document", at: Locator(file: file, line: 1)))
                return nil
            }
            return node
        } catch let error as YamlError {
            diagnostics.emit(YAMLFields.diagnostic(for: error, file: file))
            return nil
        } catch {
            diagnostics.emit(Diagnostic(.error, "cannot read YAML: \(error)", at: Locator(file: file, line: 1)))
            return nil
        }
    }

    private static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            // The context says what was being read and where it began (a quote opened on line 3
            // and never closed is found at the end of the file).
            let prefix = context.map { "\($0.text) (from line \($0.mark.line), column \($0.mark.column)) " } ?? ""
            return Diagnostic(.error, "invalid YAML: \(prefix)\(problem)", at: locator(file, mark))
        case .reader(let problem, _, _, _):
            return Diagnostic(.error, "invalid YAML: \(problem)", at: Locator(file: file, line: 1))
        default:
            return Diagnostic(.error, "invalid YAML: \(error)", at: Locator(file: file, line: 1))
        }
    }
}
