import Foundation
import Mustache

/// A problem with a report template.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    /// `file:line:col: error: message`.
    public var description: String
}

/// Renders report documents as self-contained HTML pages through swift-mustache templates:
/// `report.mustache` (one report), `summary.mustache` (the page linking them) and
/// `style.mustache` (the CSS, a partial of both). The shipped templates are in
/// `Mappings/templates/`; a template directory given by the user replaces any of them by name.
///
/// Values reach the templates as text and are escaped by `{{ }}` with `HTMLText.escape`, in
/// every template, the user's too; the only unescaped value is chart SVG, which `ReportCharts`
/// builds from escaped text.
public struct HTMLReportRenderer: Sendable {
    /// The template names a template directory may replace.
    public static let templateNames = ["report", "summary", "style"]
    private let library: MustacheLibrary

    /// What each template is read with first: `{{ }}` escapes with `HTMLEscaping`. On the first
    /// line, before the template's own text, so that its line numbers stay as they are.
    private static let escapingPragma = "{{% CONTENT_TYPE: \(HTMLEscaping.name) }}"

    /// Loads the templates from `directories`, later ones replacing earlier ones by name.
    public init(directories: [String]) throws(TemplateError) {
        HTMLEscaping.register()
        var library = MustacheLibrary()
        var found: Set<String> = []
        for directory in directories {
            for name in HTMLReportRenderer.templateNames {
                let path = "\(directory)/\(name).mustache"
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                do {
                    try library.register(HTMLReportRenderer.escapingPragma + String(decoding: data, as: UTF8.self), named: name)
                } catch let error as MustacheTemplate.ParserError {
                    let line = error.context.lineNumber
                    let column = line == 1 ? max(1, error.context.columnNumber - HTMLReportRenderer.escapingPragma.count) : error.context.columnNumber
                    throw TemplateError(description: "\(path):\(line):\(column): error: template: \(error.error)")
                } catch {
                    throw TemplateError(description: "\(path):1:1: error: template: \(error)")
                }
                found.insert(name)
            }
        }
        if let missing = HTMLReportRenderer.templateNames.first(where: { !found.contains($0) }) {
            throw TemplateError(description: "\(directories.first ?? "."):1:1: error: no \(missing).mustache template found")
        }
        self.library = library
    }

    private struct Page {
        var setTitle: String
        var title: String
        var asOf: String
        var nav: [NavItem]
        var facts: [ReportDocument.Fact]
        var sections: [SectionView]
        var reports: [ReportView]
    }

    private struct NavItem {
        var href: String
        var title: String
        var current: Bool
    }

    private struct SectionView {
        var heading: String
        var note: String?
        var charts: [ReportDocument.Chart]
        var tables: [TableView]
    }

    private struct TableView {
        var caption: String
        var columns: [String]
        var columnCount: Int
        var rows: [RowView]
    }

    // Rows and cells answer the template's lookups themselves (`MustacheParent`) rather than
    // through reflection: a 100,000-row risk register renders several times faster.
    private struct RowView: MustacheParent {
        var flag: String?
        var cells: [CellView]

        func child(named name: String) -> Any? {
            switch name {
            case "flag": return flag
            case "cells": return cells
            default: return nil
            }
        }
    }

    private struct CellView: MustacheParent {
        var lines: [String]
        var status: String?
        var isFirst: Bool

        func child(named name: String) -> Any? {
            switch name {
            case "lines": return lines
            case "status": return status
            case "isFirst": return isFirst
            default: return nil
            }
        }
    }

    private struct ReportView {
        var href: String
        var title: String
        var facts: [ReportDocument.Fact]
        var highlight: ReportDocument.Chart?
    }

    /// One report page; `kinds` are the reports of the set, for the navigation.
    public func render(_ document: ReportDocument, kinds: [ReportKind], settings: ReportSettings) -> String {
        let sections = document.sections.map { section in
            SectionView(heading: section.heading, note: section.note, charts: section.charts, tables: section.tables.map { table in
                TableView(caption: table.displayedCaption, columns: table.columns, columnCount: table.columns.count, rows: table.displayedRows.map { row in
                    RowView(flag: row.flag.map(HTMLReportRenderer.token), cells: row.cells.enumerated().map { position, cell in
                        CellView(lines: cell.lines, status: cell.status.map(HTMLReportRenderer.token), isFirst: position == 0)
                    })
                })
            })
        }
        let page = Page(setTitle: settings.title, title: document.title, asOf: settings.asOf,
                        nav: navigation(kinds, current: document.kind), facts: document.facts, sections: sections, reports: [])
        return library.render(page, withTemplate: "report") ?? ""
    }

    /// The summary page linking every report, with its figures and highlight chart.
    public func summary(_ documents: [ReportDocument], settings: ReportSettings) -> String {
        let page = Page(setTitle: settings.title, title: "Summary", asOf: settings.asOf,
                        nav: navigation(documents.map(\.kind), current: nil), facts: [], sections: [],
                        reports: documents.map {
                            ReportView(href: "\($0.kind.rawValue).html", title: $0.title, facts: $0.facts, highlight: $0.highlight)
                        })
        return library.render(page, withTemplate: "summary") ?? ""
    }

    private func navigation(_ kinds: [ReportKind], current: ReportKind?) -> [NavItem] {
        [NavItem(href: "index.html", title: "Summary", current: current == nil)]
            + kinds.map { NavItem(href: "\($0.rawValue).html", title: $0.title, current: $0 == current) }
    }

    /// A status word as a CSS class token (`partly covered` → `partly-covered`).
    static func token(_ word: String) -> String {
        String(word.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }
}

/// The escaping of the templates' `{{ }}`: `HTMLText.escape`. swift-mustache's own HTML escaping
/// compares characters, and so lets a `<` or `"` through when it shares a character with a
/// scalar before it (`\u{600}<img onerror=…>`).
struct HTMLEscaping: MustacheContentType {
    /// The name the templates' pragma gives it.
    static let name = "AIMS_HTML"

    /// Makes it known to swift-mustache under `name` (again: the same value each time).
    static func register() {
        MustacheContentTypes.register(HTMLEscaping(), named: name)
    }

    func escapeText(_ text: String) -> String {
        HTMLText.escape(text)
    }
}
