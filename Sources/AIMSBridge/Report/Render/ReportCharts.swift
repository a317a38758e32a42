/// Escapes text for HTML, SVG and XML: `& < > " '`.
public enum HTMLText {
    private static let entities = ASCIIReplacements(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"])

    /// The escaped text.
    public static func escape(_ text: String) -> String {
        entities.apply(to: text)
    }
}

/// Inline SVG charts. Hand-written rather than a charting library: the two charts are a grid and
/// a set of bars, no charting package is among the available ones, and inline SVG keeps each
/// report one self-contained file that prints. Every text is escaped; only numbers and fixed
/// words are interpolated raw.
public enum ReportCharts {
    /// A 5 × 5 likelihood × impact heatmap with the count in each cell (and how many of those
    /// are overdue); the zone is written in each cell as well as coloured.
    public static func heatmap(_ map: Heatmap, title: String) -> ReportDocument.Chart {
        let cell = 84, left = 120, top = 40
        let width = left + cell * 5 + 20, height = top + cell * 5 + 70
        let titleID = "heatmap-\(map.name)-title", descID = "heatmap-\(map.name)-desc"
        var description = "\(map.placed) risks placed by likelihood (rows, 5 at the top) and impact (columns, 5 at the right)."
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="\(titleID) \(descID)" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" class="heatmap">
        <title id="\(titleID)">\(HTMLText.escape(title))</title>

        """
        for likelihood in (1...5).reversed() {
            for impact in 1...5 {
                let count = map.counts[likelihood - 1][impact - 1]
                let overdue = map.overdue[likelihood - 1][impact - 1]
                let zone = Heatmap.zone(likelihood: likelihood, impact: impact)
                let x = left + (impact - 1) * cell, y = top + (5 - likelihood) * cell
                svg += "<g class=\"cell zone-\(zone.replacingOccurrences(of: " ", with: "-"))\"><rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\"/>"
                svg += "<text class=\"count\" x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\">\(count == 0 ? "" : String(count))</text>"
                svg += "<text class=\"zone\" x=\"\(x + cell / 2)\" y=\"\(y + 16)\">\(zone)</text>"
                if overdue > 0 {
                    svg += "<text class=\"overdue\" x=\"\(x + cell / 2)\" y=\"\(y + cell - 10)\">\(overdue) overdue</text>"
                }
                svg += "</g>\n"
                if count > 0 {
                    description += " Likelihood \(likelihood), impact \(impact): \(count)" + (overdue > 0 ? " (\(overdue) overdue)." : ".")
                }
            }
        }
        for level in 1...5 {
            svg += "<text class=\"axis\" x=\"\(left - 12)\" y=\"\(top + (5 - level) * cell + cell / 2 + 4)\" text-anchor=\"end\">\(level)</text>"
            svg += "<text class=\"axis\" x=\"\(left + (level - 1) * cell + cell / 2)\" y=\"\(top + 5 * cell + 20)\">\(level)</text>\n"
        }
        svg += "<text class=\"label\" x=\"\(left + cell * 5 / 2)\" y=\"\(top + 5 * cell + 48)\">Impact</text>"
        svg += "<text class=\"label\" x=\"24\" y=\"\(top + cell * 5 / 2)\" transform=\"rotate(-90 24 \(top + cell * 5 / 2))\">Likelihood</text>\n"
        if map.unplacedCount > 0 { description += " \(map.unplacedCount) risks could not be placed (see the table below)." }
        svg += "<desc id=\"\(descID)\">\(HTMLText.escape(description))</desc></svg>"
        return ReportDocument.Chart(svg: svg, title: title, caption: description)
    }

    /// Horizontal stacked bars: per clause group, the share covered and partly covered.
    public static func coverageBars(_ coverage: FrameworkCoverage) -> ReportDocument.Chart {
        let bar = 22, gap = 8, left = 260, scale = 4, top = 30
        let width = left + 100 * scale + 80
        let height = top + coverage.groups.count * (bar + gap) + 40
        let slug = ReportLayouts.slug(coverage.framework)
        let title = "Coverage of \(coverage.standard) by clause group"
        var description = "Share of requirements covered and partly covered per clause group of \(coverage.standard)."
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="bars-\(slug)-title bars-\(slug)-desc" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" class="bars">
        <title id="bars-\(slug)-title">\(HTMLText.escape(title))</title>

        """
        for (position, group) in coverage.groups.enumerated() {
            let y = top + position * (bar + gap)
            let label = group.id == group.title ? group.id : "\(group.id) \(group.title)"
            let shortened = label.count > 38 ? String(label.prefix(37)) + "…" : label
            svg += "<text class=\"group\" x=\"\(left - 8)\" y=\"\(y + bar / 2 + 5)\" text-anchor=\"end\">\(HTMLText.escape(shortened))</text>"
            svg += "<rect class=\"track\" x=\"\(left)\" y=\"\(y)\" width=\"\(100 * scale)\" height=\"\(bar)\"/>"
            svg += "<rect class=\"covered\" x=\"\(left)\" y=\"\(y)\" width=\"\(group.coveredPercent * scale)\" height=\"\(bar)\"/>"
            svg += "<rect class=\"partly\" x=\"\(left + group.coveredPercent * scale)\" y=\"\(y)\" width=\"\(group.partlyPercent * scale)\" height=\"\(bar)\"/>"
            svg += "<text class=\"value\" x=\"\(left + 100 * scale + 8)\" y=\"\(y + bar / 2 + 5)\">\(group.coveredPercent)% + \(group.partlyPercent)%</text>\n"
            description += " \(label): \(group.coveredPercent)% covered, \(group.partlyPercent)% partly."
        }
        let legend = top + coverage.groups.count * (bar + gap) + 16
        svg += "<rect class=\"covered\" x=\"\(left)\" y=\"\(legend - 11)\" width=\"14\" height=\"14\"/><text class=\"legend\" x=\"\(left + 20)\" y=\"\(legend)\">covered</text>"
        svg += "<rect class=\"partly\" x=\"\(left + 110)\" y=\"\(legend - 11)\" width=\"14\" height=\"14\"/><text class=\"legend\" x=\"\(left + 130)\" y=\"\(legend)\">partly covered</text>\n"
        svg += "<desc id=\"bars-\(slug)-desc\">\(HTMLText.escape(description))</desc></svg>"
        return ReportDocument.Chart(svg: svg, title: title, caption: description)
    }
}
