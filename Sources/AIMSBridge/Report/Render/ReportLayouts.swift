typealias Cell = ReportDocument.Cell
typealias Row = ReportDocument.Row

/// Lays each report model out as a document: which figures, charts and tables a reader sees.
/// Presentation only: every value comes from the model.
enum ReportLayouts {
    /// Rows HTML and Markdown show of a table as long as the register.
    static let displayRows = ReportSettings.displayRows

    static func fact(_ label: String, _ value: Int) -> ReportDocument.Fact {
        ReportDocument.Fact(label: label, value: String(value))
    }

    static func soa(_ soa: StatementOfApplicability) -> ReportDocument {
        var facts: [ReportDocument.Fact] = []
        var sections: [ReportDocument.Section] = []
        for annex in soa.annexes {
            let entries = annex.entries
            facts.append(fact("\(annex.standard) Annex A controls", entries.count))
            facts.append(fact("applicable", entries.filter { $0.applicability.hasPrefix("applicable") }.count))
            facts.append(fact("not determined", entries.filter { $0.applicability == "not determined" }.count))
            let rows = entries.map { entry in
                Row(cells: [Cell(entry.id), Cell(entry.title), Cell(entry.applicability, status: entry.applicability),
                            Cell(entry.applicabilityBasis), Cell(entry.justification), Cell(entry.implementationStatus),
                            Cell(entry.owner), Cell(entry.controls), Cell(entry.risks), Cell(entry.evidence)])
            }
            let name = annex.framework == "iso42001:2023" ? "soa" : "soa-" + slug(annex.framework)
            sections.append(ReportDocument.Section(
                heading: "\(annex.standard) Annex A", note: "Applicability comes from control records; where none states it, a control referenced by a risk or evidence is applicable (inferred), otherwise not determined. Links through crosswalks show their path.",
                charts: [],
                tables: [ReportDocument.Table(name: name, caption: "\(annex.standard) Annex A controls",
                                              columns: ["Control", "Title", "Applicability", "Basis", "Justification", "Implementation",
                                                        "Owner", "Control records", "Risks", "Evidence"], rows: rows)]))
        }
        return ReportDocument(kind: .soa, title: ReportKind.soa.title, facts: facts, highlight: nil, sections: sections)
    }

    static func integrated(_ matrix: IntegratedMatrix) -> ReportDocument {
        let rows = matrix.rows.map { row in
            Row(cells: [Cell(row.clause.text), Cell(row.iso27001.map(\.text)), Cell(row.iso9001.map(\.text)),
                        Cell(row.controls), Cell(row.evidence), Cell(row.risks), Cell(row.status, status: row.status),
                        Cell(row.statusReason)])
        }
        let facts = [fact("harmonized-structure clauses", matrix.rows.count),
                     fact("covered", matrix.rows.filter { $0.status == "covered" }.count),
                     fact("partly covered", matrix.rows.filter { $0.status == "partly covered" }.count),
                     fact("gaps", matrix.rows.filter { $0.status == "gap" }.count)]
        let section = ReportDocument.Section(
            heading: "Clauses 4 to 10", note: "Covered: current evidence addresses the clause or its counterparts (directly, or by an equal or superset crosswalk path); partly covered: only controls, risks, expired evidence or weaker crosswalk paths do; gap: nothing does.",
            charts: [],
            tables: [ReportDocument.Table(name: "integrated", caption: "ISO/IEC 42001, ISO/IEC 27001 and ISO 9001 side by side",
                                          columns: ["ISO/IEC 42001:2023", "ISO/IEC 27001:2022", "ISO 9001:2015", "Controls", "Evidence",
                                                    "Risks", "Status", "Why"], rows: rows)])
        return ReportDocument(kind: .integrated, title: ReportKind.integrated.title, facts: facts, highlight: nil, sections: [section])
    }

    /// A risk as a row of the risk table.
    private static func row(_ risk: RiskRow) -> Row {
        Row(cells: [Cell(risk.id), Cell(risk.title), Cell(risk.systems), Cell(risk.owner), Cell(risk.inherent.text),
                    Cell(risk.residual.text), Cell(risk.treatment), Cell(risk.plan), Cell(risk.treatmentOwner),
                    Cell([risk.due ?? "", risk.overdue ? "OVERDUE" : ""], status: risk.overdue ? "overdue" : nil),
                    Cell(risk.status), Cell(risk.iso23894), Cell(risk.euAIAct), Cell(risk.source)],
            flag: risk.overdue ? "overdue" : nil)
    }

    static func risks(_ report: RiskRegisterReport) -> ReportDocument {
        let rows = report.risks.map(row)
        // The report holds the first rows; the CSV makes every one again from the register.
        let allRows = report.count > rows.count
            ? ReportDocument.RowStream(count: report.count) { body in report.forEachRow { body(row($0)) } } : nil
        var sections: [ReportDocument.Section] = []
        var charts: [ReportDocument.Chart] = []
        var tables: [ReportDocument.Table] = []
        for map in [report.inherentHeatmap, report.residualHeatmap] {
            charts.append(ReportCharts.heatmap(map, title: "\(map.name.capitalized) risk: likelihood × impact"))
            let gridRows = (1...5).reversed().map { likelihood in
                Row(cells: [Cell(String(likelihood))] + (1...5).map { impact in
                    let count = map.counts[likelihood - 1][impact - 1], overdue = map.overdue[likelihood - 1][impact - 1]
                    return Cell(String(count) + (overdue > 0 ? " (\(overdue) overdue)" : ""))
                })
            }
            tables.append(ReportDocument.Table(name: "risks-heatmap-\(map.name)", caption: "\(map.name.capitalized) heatmap: risks per likelihood (rows) and impact (columns)",
                                               columns: ["Likelihood \\ impact", "1", "2", "3", "4", "5"], rows: gridRows))
            if !map.unplaced.isEmpty {
                let shown = map.unplaced.count < map.unplacedCount
                    ? " (the first \(map.unplaced.count) of \(map.unplacedCount); every risk's ratings are in risks.csv)" : ""
                tables.append(ReportDocument.Table(name: "risks-unplaced-\(map.name)", caption: "Risks not on the \(map.name) heatmap\(shown)",
                                                   columns: ["Risk", "Why"],
                                                   rows: map.unplaced.map { Row(cells: [Cell($0.id), Cell($0.reason)]) }))
            }
        }
        sections.append(ReportDocument.Section(
            heading: "Heatmaps", note: "Ratings from 3-, 4- and 5-level scales are placed by their normalized value (0 → 1, 1 → 5).",
            charts: charts, tables: tables))
        sections.append(ReportDocument.Section(
            heading: "Risks", note: "Overdue: the treatment was due before the report date and the risk is not closed.", charts: [],
            tables: [ReportDocument.Table(name: "risks", caption: "Risk register",
                                          columns: ["Risk", "Title", "AI systems", "Owner", "Inherent", "Residual", "Treatment",
                                                    "Plan", "Treatment owner", "Due", "Status", "ISO/IEC 23894 step",
                                                    "EU AI Act", "Source"], rows: rows, displayLimit: displayRows,
                                          allRows: allRows)]))
        let facts = [fact("risks", report.count), fact("overdue treatments", report.overdue),
                     fact("on the inherent heatmap", report.inherentHeatmap.placed),
                     fact("on the residual heatmap", report.residualHeatmap.placed)]
        return ReportDocument(kind: .risks, title: ReportKind.risks.title, facts: facts, highlight: charts.first, sections: sections)
    }

    static func inventory(_ report: InventoryReport) -> ReportDocument {
        let systems = report.systems.map { system in
            Row(cells: [Cell(system.id), Cell(system.name), Cell(system.owner), Cell(system.roles), Cell(system.lifecycleStage),
                        Cell([system.riskClass ?? "", system.riskClassBasis ?? ""]), Cell(system.dataCategories),
                        Cell(system.humanOversight), Cell(system.risks),
                        Cell(system.obligations.isEmpty ? [system.obligationsNote ?? ""]
                             : ["\(system.obligations.count) obligations, \(system.obligations.filter { $0.status == "missing" }.count) without evidence"])])
        }
        let obligations = report.systems.flatMap { system in
            system.obligations.map { obligation in
                Row(cells: [Cell(system.id), Cell(system.name), Cell("\(obligation.article) \(obligation.title)"), Cell(obligation.role),
                            Cell(obligation.condition), Cell(obligation.status, status: obligation.status), Cell(obligation.evidence)],
                    flag: obligation.status == "missing" ? "missing" : nil)
            }
        }
        let facts = [fact("AI systems", report.systems.count),
                     fact("high-risk", report.systems.filter { $0.riskClass == "high-risk" }.count),
                     fact("obligations", report.obligations), fact("without evidence", report.missing)]
        return ReportDocument(kind: .inventory, title: ReportKind.inventory.title, facts: facts, highlight: nil, sections: [
            ReportDocument.Section(heading: "AI systems", note: nil, charts: [],
                                   tables: [ReportDocument.Table(name: "inventory", caption: "AI inventory",
                                                                 columns: ["System", "Name", "Owner", "Roles", "Life-cycle stage", "EU AI Act class",
                                                                           "Data categories", "Human oversight", "Risks", "Obligations"], rows: systems,
                                                                 displayLimit: displayRows)]),
            ReportDocument.Section(heading: "Obligations", note: "From operator role × risk class (Mappings/obligations/). Evidence: evidence or control records referencing the article, for this system or for no system in particular.",
                                   charts: [], tables: [ReportDocument.Table(name: "inventory-obligations", caption: "EU AI Act obligations per system",
                                                                             columns: ["System", "Name", "Article", "Role", "What to check", "Status", "Evidence"],
                                                                             rows: obligations, displayLimit: displayRows)]),
        ])
    }

    static func gaps(_ report: GapsReport) -> ReportDocument {
        var sections: [ReportDocument.Section] = []
        var facts: [ReportDocument.Fact] = []
        for coverage in report.frameworks {
            let requirements = coverage.requirements
            let covered = requirements.filter { $0.status == "covered" }.count
            let percent = requirements.isEmpty ? 0 : covered * 100 / requirements.count
            facts.append(ReportDocument.Fact(label: "\(coverage.standard) covered", value: "\(percent)% (\(covered) of \(requirements.count))"))
            let name = "gaps-" + slug(coverage.framework)
            sections.append(ReportDocument.Section(
                heading: coverage.standard, note: "Covered: evidence, an assessment or an implemented control references it, directly or by an equal or superset crosswalk path; partly: only weaker paths, risks or unfinished controls reach it.",
                charts: [ReportCharts.coverageBars(coverage)],
                tables: [ReportDocument.Table(name: name + "-groups", caption: "\(coverage.standard) by clause group",
                                              columns: ["Group", "Title", "Requirements", "Covered", "Partly", "Covered %", "Partly %"],
                                              rows: coverage.groups.map { group in
                                                  Row(cells: [Cell(group.id), Cell(group.title), Cell(String(group.total)), Cell(String(group.covered)),
                                                              Cell(String(group.partly)), Cell(String(group.coveredPercent)), Cell(String(group.partlyPercent))])
                                              }),
                         ReportDocument.Table(name: name, caption: "\(coverage.standard) requirements",
                                              columns: ["Requirement", "Title", "Group", "Status", "How"],
                                              rows: requirements.map { requirement in
                                                  Row(cells: [Cell(requirement.id), Cell(requirement.title), Cell(requirement.group),
                                                              Cell(requirement.status, status: requirement.status), Cell(requirement.how)],
                                                      flag: requirement.status == "not covered" ? "gap" : nil)
                                              })]))
        }
        return ReportDocument(kind: .gaps, title: ReportKind.gaps.title, facts: facts,
                              highlight: sections.first?.charts.first, sections: sections)
    }

    static func log(_ log: ConversionLog) -> ReportDocument {
        let sources = log.sources.map { logged in
            let source = logged.source
            return Row(cells: [Cell(source.path), Cell(source.format), Cell(source.profile), Cell(String(source.records)),
                               Cell(String(source.converted)), Cell(String(source.rejected), status: source.rejected > 0 ? "rejected" : nil),
                               Cell(String(logged.warnings)), Cell(source.unmappedFields), Cell(source.sha256)])
        }
        func problems(_ items: [LoggedProblem]) -> [Row] {
            items.map { Row(cells: [Cell($0.location), Cell($0.severity), Cell($0.message)]) }
        }
        let records = log.sources.reduce(0) { $0 + $1.source.records }
        let converted = log.sources.reduce(0) { $0 + $1.source.converted }
        var note: String?
        if !log.registerFiles.isEmpty {
            note = "Read as registers: \(log.registerFiles.joined(separator: ", ")). Their sources' rejects and warnings were reported when they were converted and are not in a register."
        }
        var facts = [fact("sources", log.sources.count), fact("records", records), fact("converted", converted),
                     fact("rejected", records - converted),
                     fact("warnings", log.warnings.filter { $0.severity == "warning" }.count + (log.omitted?.warnings ?? 0))]
        // Past the problems an input keeps, the tables list the first and count the rest.
        func omittedNote(_ listed: Int, _ omitted: Int) -> String {
            omitted == 0 ? "" : " (the first \(listed) of \(listed + omitted); the counts per source include every one, and aims convert --rejects FILE writes every rejected record)"
        }
        var mergeSections: [ReportDocument.Section] = []
        if let merge = log.merge {
            facts.append(fact("merged records", merge.mergedRecords))
            mergeSections.append(ReportDocument.Section(
                heading: "Merge", note: "\(merge.records) records, \(merge.mergedRecords) of them merged from \(merge.contributions) source records. Values that lost to the one kept are in each record's conflicts.",
                charts: [],
                tables: [ReportDocument.Table(name: "log-merge-conflicts", caption: "Conflicts kept, by field", columns: ["Field", "Conflicts"],
                                              rows: merge.conflicts.map { Row(cells: [Cell($0.field), Cell(String($0.conflicts))]) })]))
        }
        return ReportDocument(kind: .log, title: ReportKind.log.title, facts: facts, highlight: nil, sections: [
            ReportDocument.Section(heading: "Sources", note: note, charts: [],
                                   tables: [ReportDocument.Table(name: "log", caption: "Sources: records = converted + rejected",
                                                                 columns: ["Source", "Format", "Profile", "Records", "Converted", "Rejected", "Warnings",
                                                                           "Kept as extensions", "SHA-256"], rows: sources)]),
            ReportDocument.Section(heading: "Rejected records", note: nil, charts: [],
                                   tables: [ReportDocument.Table(name: "log-rejects", caption: "Rejected records" + omittedNote(log.rejects.count, log.omitted?.rejects ?? 0),
                                                                 columns: ["Where", "Kind", "Reason"],
                                                                 rows: problems(log.rejects), displayLimit: displayRows)]),
            ReportDocument.Section(heading: "Warnings", note: nil, charts: [],
                                   tables: [ReportDocument.Table(name: "log-warnings",
                                                                 caption: "Warnings and notes" + omittedNote(log.warnings.count, (log.omitted?.warnings ?? 0) + (log.omitted?.notes ?? 0)),
                                                                 columns: ["Where", "Severity", "Message"],
                                                                 rows: problems(log.warnings), displayLimit: displayRows)]),
        ] + mergeSections)
    }

    /// `iso27001:2022` → `iso27001-2022`, for file names.
    static func slug(_ framework: String) -> String {
        String(framework.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
