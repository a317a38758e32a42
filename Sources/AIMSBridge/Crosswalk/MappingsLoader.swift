import Foundation
import Yams

/// Loads framework catalogs (`frameworks/*.yaml`) and crosswalks (`crosswalks/*.yaml`) from one
/// or more mapping folders, reporting every problem at its line and column.
///
/// Later folders extend earlier ones: a catalog with a framework key already loaded adds its
/// requirements to that catalog (an id already there takes the new title); a crosswalk with a
/// name already loaded replaces that crosswalk; anything else is added.
public enum MappingsLoader {
    /// The kinds a catalog requirement may have.
    static let kinds = ["clause", "subclause", "objective", "control", "article", "paragraph", "annex",
                        "function", "category", "subcategory"]

    /// Loads and validates the mapping folders in order. Problems go to `diagnostics`; a file
    /// with errors still contributes what could be read.
    public static func load(directories: [String], diagnostics: any DiagnosticCollector) -> MappingLibrary {
        var catalogs: [String: FrameworkCatalog] = [:]
        var catalogOrder: [String] = []
        var crosswalks: [Crosswalk] = []
        for directory in directories {
            for file in yamlFiles(in: "\(directory)/frameworks") {
                guard let catalog = readCatalog(file, diagnostics: diagnostics) else { continue }
                if let existing = catalogs[catalog.framework] {
                    catalogs[catalog.framework] = merge(existing, with: catalog)
                } else {
                    catalogs[catalog.framework] = catalog
                    catalogOrder.append(catalog.framework)
                }
            }
            for file in yamlFiles(in: "\(directory)/crosswalks") {
                guard let crosswalk = readCrosswalk(file, diagnostics: diagnostics) else { continue }
                if let index = crosswalks.firstIndex(where: { $0.name == crosswalk.name }) {
                    crosswalks[index] = crosswalk
                } else {
                    crosswalks.append(crosswalk)
                }
            }
        }
        let library = MappingLibrary(catalogs: catalogOrder.map { catalogs[$0]! }, crosswalks: crosswalks)
        MappingsValidator.validate(library, diagnostics: diagnostics)
        return library
    }

    /// The `.yaml` and `.yml` files of a folder, sorted by name (none if it does not exist).
    static func yamlFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(directory)/\($0)" }
    }

    private static func text(of file: String, diagnostics: any DiagnosticCollector) -> String? {
        guard let data = FileManager.default.contents(atPath: file) else {
            diagnostics.emit(Diagnostic(.error, "cannot read file", at: Locator(file: file, line: 1)))
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func readCatalog(_ file: String, diagnostics: any DiagnosticCollector) -> FrameworkCatalog? {
        guard let text = text(of: file, diagnostics: diagnostics),
              let node = YAMLFields.compose(text, file: file, diagnostics: diagnostics),
              let fields = YAMLFields(node, file: file, what: "a framework catalog", diagnostics: diagnostics) else { return nil }
        fields.warnUnknownKeys(["framework", "title", "publisher", "version", "prefix", "notice", "requirements"])
        guard let framework = fields.string("framework"), let items = fields.sequence("requirements") else { return nil }
        var requirements: [CatalogRequirement] = []
        for item in items {
            guard let entry = YAMLFields(item, file: file, what: "a requirement", diagnostics: diagnostics) else { continue }
            entry.warnUnknownKeys(["id", "title", "kind", "parent", "note", "text", "chapter"])
            guard let id = entry.string("id"), let title = entry.string("title"),
                  let kind = entry.choice("kind", kinds) else { continue }
            requirements.append(CatalogRequirement(id: id, title: title, kind: kind, parent: entry.string("parent", required: false),
                                                   text: entry.string("text", required: false), chapter: entry.string("chapter", required: false),
                                                   locator: entry.locator))
        }
        return FrameworkCatalog(framework: framework, title: fields.string("title") ?? framework,
                                publisher: fields.string("publisher", required: false) ?? "",
                                notice: fields.string("notice", required: false) ?? "", requirements: requirements, file: file)
    }

    static func readCrosswalk(_ file: String, diagnostics: any DiagnosticCollector) -> Crosswalk? {
        guard let text = text(of: file, diagnostics: diagnostics),
              let node = YAMLFields.compose(text, file: file, diagnostics: diagnostics),
              let fields = YAMLFields(node, file: file, what: "a crosswalk", diagnostics: diagnostics) else { return nil }
        fields.warnUnknownKeys(["crosswalk", "source", "target", "basis", "date", "licence", "edges"])
        guard let name = fields.string("crosswalk"), let source = fields.string("source"), let target = fields.string("target"),
              let items = fields.sequence("edges") else { return nil }
        var edges: [CrosswalkEdge] = []
        for item in items {
            guard let entry = YAMLFields(item, file: file, what: "an edge", diagnostics: diagnostics) else { continue }
            entry.warnUnknownKeys(["source", "target", "relationship", "rationale", "strength", "note"])
            guard let from = entry.string("source"), let to = entry.string("target"),
                  let relationship = entry.choice("relationship", Relationship.allCases.map(\.rawValue)).flatMap(Relationship.init(rawValue:)),
                  let rationale = entry.choice("rationale", Rationale.allCases.map(\.rawValue)).flatMap(Rationale.init(rawValue:)),
                  let note = entry.string("note") else { continue }
            edges.append(CrosswalkEdge(source: RequirementKey(framework: source, id: from),
                                       target: RequirementKey(framework: target, id: to),
                                       relationship: relationship, rationale: rationale,
                                       strength: entry.integer("strength", in: 0...10), note: note, locator: entry.locator))
        }
        return Crosswalk(name: name, sourceFramework: source, targetFramework: target,
                         basis: fields.string("basis") ?? "", date: fields.string("date") ?? "",
                         licence: fields.string("licence") ?? "", edges: edges, file: file)
    }

    private static func merge(_ base: FrameworkCatalog, with addition: FrameworkCatalog) -> FrameworkCatalog {
        var requirements = base.requirements
        for requirement in addition.requirements {
            if let index = requirements.firstIndex(where: { $0.id == requirement.id }) {
                requirements[index] = requirement
            } else {
                requirements.append(requirement)
            }
        }
        return FrameworkCatalog(framework: base.framework, title: base.title, publisher: base.publisher,
                                notice: base.notice, requirements: requirements, file: base.file)
    }

    /// The mapping folder shipped with AIMS Bridge: `$AIMS_MAPPINGS` when set, else the first
    /// `Mappings/` found beside the executable or in a folder above it (the package checkout),
    /// else `Mappings/` in the current folder.
    public static func builtInDirectory(executable: String = CommandLine.arguments.first ?? ".") -> String {
        if let configured = ProcessInfo.processInfo.environment["AIMS_MAPPINGS"], !configured.isEmpty {
            return configured
        }
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("Mappings")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("frameworks").path) {
                return candidate.path
            }
            directory.deleteLastPathComponent()
        }
        return "Mappings"
    }
}

/// Checks loaded mappings: every edge endpoint exists in its catalog, no edge is written twice,
/// catalog ids are unique and their parents exist.
enum MappingsValidator {
    static func validate(_ library: MappingLibrary, diagnostics: any DiagnosticCollector) {
        for catalog in library.catalogs {
            var seen: Set<String> = []
            for requirement in catalog.requirements {
                if !seen.insert(requirement.id).inserted {
                    diagnostics.emit(Diagnostic(.error, "duplicate requirement id '\(requirement.id)' in \(catalog.framework)",
                                                at: requirement.locator))
                }
                if let parent = requirement.parent, !catalog.contains(parent) {
                    diagnostics.emit(Diagnostic(.error, "parent '\(parent)' of '\(requirement.id)' is not in \(catalog.framework)",
                                                at: requirement.locator))
                }
            }
        }
        var authored: [String: Locator] = [:]
        for crosswalk in library.crosswalks {
            for framework in [crosswalk.sourceFramework, crosswalk.targetFramework] where library.catalog(framework) == nil {
                diagnostics.emit(Diagnostic(.error, "crosswalk '\(crosswalk.name)' names framework '\(framework)', which has no catalog",
                                            at: Locator(file: crosswalk.file, line: 1)))
            }
            var pairs: Set<String> = []
            for edge in crosswalk.edges {
                for end in [edge.source, edge.target] {
                    guard let catalog = library.catalog(end.framework), !catalog.contains(end.id) else { continue }
                    let hint = catalog.nearest(to: end.id).map { "; nearest: '\($0)'" } ?? ""
                    diagnostics.emit(Diagnostic(.error, "'\(end.id)' is not in \(end.framework)\(hint)", at: edge.locator))
                }
                let pair = "\(edge.source)→\(edge.target)"
                if !pairs.insert(pair).inserted {
                    diagnostics.emit(Diagnostic(.error, "duplicate edge \(edge.source) → \(edge.target) in '\(crosswalk.name)'",
                                                at: edge.locator))
                }
                let inverse = "\(edge.target)→\(edge.source)"
                if let other = authored[inverse] {
                    diagnostics.emit(Diagnostic(.warning, "\(edge.source) → \(edge.target) is also written the other way round at \(other.description); inverses are derived, keep one",
                                                at: edge.locator))
                }
                authored[pair] = edge.locator
            }
        }
    }
}
