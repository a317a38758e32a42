import Foundation

/// One rule of an obligations file: for systems where the organisation has one of `roles` and
/// the system is in one of `riskClasses` (and, when `bases` is set, in one of those Annex III
/// areas), the `articles` apply.
public struct ObligationRule: Sendable, Hashable {
    /// Operator roles (`provider`, `deployer`, …).
    public var roles: [String]
    /// EU AI Act risk classes (`high-risk`, `transparency`, …).
    public var riskClasses: [String]
    /// Annex III areas the rule is limited to; empty for every basis.
    public var bases: [String]
    /// Requirement ids in the rule's framework (`Art.26`).
    public var articles: [String]
    /// What a person still has to check.
    public var condition: String
    /// Where the rule is written.
    public var locator: Locator

    /// Whether the rule applies to a system with this role, class and basis.
    public func applies(role: String, riskClass: String, basis: String?) -> Bool {
        guard roles.contains(role), riskClasses.contains(riskClass) else { return false }
        return bases.isEmpty || bases.contains { basis?.hasPrefix($0) ?? false }
    }
}

/// The obligations that follow from operator role × risk class, loaded from
/// `Mappings/obligations/*.yaml` (data, not code).
public struct ObligationRules: Sendable {
    /// The framework the articles belong to (`eu-ai-act:2024`).
    public var framework: String
    /// The rules in file order.
    public var rules: [ObligationRule]

    /// Creates rules.
    public init(framework: String, rules: [ObligationRule]) {
        self.framework = framework
        self.rules = rules
    }

    /// Loads the obligations files of the mapping folders (the last folder with a file for a
    /// framework wins), reporting problems at their line and column.
    public static func load(directories: [String], diagnostics: any DiagnosticCollector) -> [ObligationRules] {
        var loaded: [ObligationRules] = []
        for directory in directories {
            for file in MappingsLoader.yamlFiles(in: "\(directory)/obligations") {
                guard let data = FileManager.default.contents(atPath: file),
                      let node = YAMLFields.compose(String(decoding: data, as: UTF8.self), file: file, diagnostics: diagnostics),
                      let fields = YAMLFields(node, file: file, what: "an obligations file", diagnostics: diagnostics),
                      let framework = fields.string("framework"), let items = fields.sequence("rules") else { continue }
                fields.warnUnknownKeys(["obligations", "framework", "rules"])
                var rules: [ObligationRule] = []
                for item in items {
                    guard let entry = YAMLFields(item, file: file, what: "a rule", diagnostics: diagnostics) else { continue }
                    entry.warnUnknownKeys(["roles", "risk-classes", "bases", "articles", "condition"])
                    rules.append(ObligationRule(roles: entry.strings("roles"), riskClasses: entry.strings("risk-classes"),
                                                bases: entry.strings("bases"), articles: entry.strings("articles"),
                                                condition: entry.string("condition") ?? "", locator: entry.locator))
                }
                loaded.removeAll { $0.framework == framework }
                loaded.append(ObligationRules(framework: framework, rules: rules))
            }
        }
        return loaded
    }

    /// Checks that every article exists in its catalog.
    public func validate(against library: MappingLibrary, diagnostics: any DiagnosticCollector) {
        for rule in rules {
            for article in rule.articles where !library.contains(RequirementKey(framework: framework, id: article)) {
                diagnostics.emit(Diagnostic(.error, "'\(article)' is not a requirement of \(framework)", at: rule.locator))
            }
        }
    }
}
