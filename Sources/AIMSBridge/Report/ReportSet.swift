/// The output formats of `aims report`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case html, md, csv, json
}

/// One built report: its model (what the JSON output holds) and its document (what HTML,
/// Markdown and CSV show).
public struct BuiltReport: Sendable {
    /// Which report.
    public var kind: ReportKind
    /// The report model.
    public var model: any Encodable & Sendable
    /// The laid-out document.
    public var document: ReportDocument
}

/// Builds the requested reports from a register and renders them into named files: the
/// translate and render stages of `aims report`, pure (the CLI writes the files).
public struct ReportSet: Sendable {
    /// The reports, in the order of `ReportKind`.
    public var reports: [BuiltReport]
    /// The settings they were built with.
    public var settings: ReportSettings

    /// Builds `kinds` from `input`.
    public init(kinds: Set<ReportKind>, input: RegisterInput, library: MappingLibrary, obligations: [ObligationRules],
                settings: ReportSettings) {
        let index = RegisterIndex(register: input.register, library: library)
        self.settings = settings
        reports = kinds.sorted().map { kind in
            func built(_ model: some Encodable & Sendable, _ document: ReportDocument) -> BuiltReport {
                BuiltReport(kind: kind, model: model, document: document)
            }
            switch kind {
            case .soa:
                let model = StatementOfApplicability(index: index, settings: settings)
                return built(model, ReportLayouts.soa(model))
            case .integrated:
                let model = IntegratedMatrix(index: index, settings: settings)
                return built(model, ReportLayouts.integrated(model))
            case .risks:
                let model = RiskRegisterReport(index: index, settings: settings)
                return built(model, ReportLayouts.risks(model))
            case .inventory:
                let model = InventoryReport(index: index, rules: obligations, settings: settings)
                return built(model, ReportLayouts.inventory(model))
            case .gaps:
                let model = GapsReport(index: index, settings: settings)
                return built(model, ReportLayouts.gaps(model))
            case .log:
                let model = ConversionLog(input: input)
                return built(model, ReportLayouts.log(model))
            }
        }
    }

    /// Renders the files of the set in `formats` and hands each to `write` as it is made (so
    /// only one rendered file is held at a time): HTML and Markdown include a summary page
    /// (`index.html`, `index.md`). Names are stable (`soa.html`, `risks-heatmap-inherent.csv`).
    public func render<Failure: Error>(formats: Set<ReportFormat>, html: HTMLReportRenderer?,
                                       into write: (_ name: String, _ text: String) throws(Failure) -> Void) throws(Failure) {
        let documents = reports.map(\.document)
        for format in ReportFormat.allCases where formats.contains(format) {
            switch format {
            case .html:
                guard let html else { continue }
                try write("index.html", html.summary(documents, settings: settings))
                for document in documents {
                    try write("\(document.kind.rawValue).html", html.render(document, kinds: reports.map(\.kind), settings: settings))
                }
            case .md:
                try write("index.md", MarkdownRenderer.summary(documents, settings: settings))
                for document in documents {
                    try write("\(document.kind.rawValue).md", MarkdownRenderer.render(document, settings: settings))
                }
            case .csv:
                for document in documents {
                    for file in CSVReportRenderer.render(document) { try write(file.name, file.text) }
                }
            case .json:
                for report in reports {
                    try write("\(report.kind.rawValue).json", JSONReportRenderer.render(report.model, kind: report.kind, settings: settings))
                }
            }
        }
    }
}
