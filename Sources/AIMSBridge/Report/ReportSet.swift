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

    /// Builds `kinds` from `input`. The risks (the register's, then those of `input.risks`)
    /// are read once, each folded into every report that shows it.
    public init(kinds: Set<ReportKind>, input: RegisterInput, library: MappingLibrary, obligations: [ObligationRules],
                settings: ReportSettings) {
        let index = RegisterIndex(register: input.register, risks: input.risks, library: library)
        self.settings = settings
        risks = index.risks
        var requirementRisks = kinds.contains(.soa) || kinds.contains(.gaps)
            ? RequirementRisks(index: index, limit: settings.maxLinks) : nil
        var clauseRisks = kinds.contains(.integrated) ? IntegratedMatrix.ClauseRisks(index: index, limit: settings.maxLinks) : nil
        var systemRisks = kinds.contains(.inventory) ? InventoryReport.SystemRisks(limit: settings.maxLinks) : nil
        var riskRows = kinds.contains(.risks) ? RiskRegisterReport.Rows() : nil
        var merged = kinds.contains(.log) ? MergeSummary.Tally(records: input.register.records.filter { $0.kind != .risk }) : nil
        if requirementRisks != nil || clauseRisks != nil || systemRisks != nil || riskRows != nil || merged != nil {
            index.risks.forEach { position, risk in
                let reach = requirementRisks != nil || clauseRisks != nil ? index.reach(of: risk, at: position) : Reach()
                requirementRisks?.add(risk, reach: reach, index: index)
                clauseRisks?.add(risk, reach: reach, index: index)
                systemRisks?.add(risk, index: index)
                riskRows?.add(risk, index: index, settings: settings)
                merged?.add(risk)
            }
        }
        reports = kinds.sorted().map { kind in
            func built(_ model: some Encodable & Sendable, _ document: ReportDocument) -> BuiltReport {
                BuiltReport(kind: kind, model: model, document: document)
            }
            switch kind {
            case .soa:
                let model = StatementOfApplicability(index: index, settings: settings, risks: requirementRisks)
                return built(model, ReportLayouts.soa(model))
            case .integrated:
                let model = IntegratedMatrix(index: index, settings: settings, risks: clauseRisks)
                return built(model, ReportLayouts.integrated(model))
            case .risks:
                let model = RiskRegisterReport(index: index, settings: settings, rows: riskRows)
                return built(model, ReportLayouts.risks(model))
            case .inventory:
                let model = InventoryReport(index: index, rules: obligations, settings: settings, risks: systemRisks)
                return built(model, ReportLayouts.inventory(model))
            case .gaps:
                let model = GapsReport(index: index, settings: settings, risks: requirementRisks)
                return built(model, ReportLayouts.gaps(model))
            case .log:
                let model = ConversionLog(input: input, merge: merged?.summary)
                return built(model, ReportLayouts.log(model))
            }
        }
    }

    /// The risks the reports were built from: `readFailure` says whether reading them back from
    /// their spill file failed (the reports are then incomplete).
    public let risks: RiskRecords

    /// Renders the files of the set in `formats` into `sink`, one at a time (so at most one
    /// rendered file, and no long table, is held): HTML and Markdown include a summary page
    /// (`index.html`, `index.md`). Names are stable (`soa.html`, `risks-heatmap-inherent.csv`).
    public func render<Sink: ReportFileSink>(formats: Set<ReportFormat>, html: HTMLReportRenderer?,
                                             into sink: inout Sink) throws(Sink.Failure) {
        let documents = reports.map(\.document)
        for format in ReportFormat.allCases where formats.contains(format) {
            switch format {
            case .html:
                guard let html else { continue }
                try sink.file("index.html", html.summary(documents, settings: settings))
                for document in documents {
                    try sink.file("\(document.kind.rawValue).html", html.render(document, kinds: reports.map(\.kind), settings: settings))
                }
            case .md:
                try sink.file("index.md", MarkdownRenderer.summary(documents, settings: settings))
                for document in documents {
                    try sink.file("\(document.kind.rawValue).md", MarkdownRenderer.render(document, settings: settings))
                }
            case .csv:
                for document in documents { try CSVReportRenderer.render(document, into: &sink) }
            case .json:
                for report in reports {
                    if let register = report.model as? RiskRegisterReport {
                        try JSONReportRenderer.render(register, settings: settings, into: &sink)
                    } else {
                        try sink.file("\(report.kind.rawValue).json", JSONReportRenderer.render(report.model, kind: report.kind, settings: settings))
                    }
                }
            }
        }
    }
}
