/// Watches the elements outside records for the largest run of same-named siblings that holds no
/// record (`<columns><column/><column/>…</columns>` beside `<records><risk/>…</records>`).
///
/// When the record element was guessed (the first repeated element, shallowest first), such a run
/// may be the records the user wanted, passed over because another repeated element tied with it
/// or came first. The reader then says so rather than leave them unread without a word. One entry
/// per open element outside records, so memory does not grow with the document.
struct XMLSkippedElements {
    /// A run of same-named sibling elements that held no record.
    struct Group: Equatable {
        /// The element path of the run's elements (`["export", "records", "risk"]`).
        var path: [String]
        /// How many elements the run had.
        var count: Int
        /// The line of its first element.
        var line: Int
    }

    /// An open element outside records (the first entry: the document level): the current run
    /// of its children, and whether it holds a record anywhere below it.
    private struct OpenElement {
        var runName = ""
        var runCount = 0
        var runLine = 0
        var runHoldsRecords = false
        var holdsRecords = false
    }

    private var open = [OpenElement()]
    /// The largest run that ended so far.
    private(set) var largest: Group?

    /// An element outside records starts; `path` ends with it.
    mutating func start(path: [String], line: Int) {
        let name = path[path.count - 1]
        let parent = open.count - 1
        if open[parent].runName == name {
            open[parent].runCount += 1
        } else {
            endRun(of: parent, under: path.dropLast())
            open[parent].runName = name
            open[parent].runCount = 1
            open[parent].runLine = line
            open[parent].runHoldsRecords = false
        }
        open.append(OpenElement())
    }

    /// A record starts, as a child of the innermost open element; `path` ends with the record.
    mutating func record(path: [String]) {
        let parent = open.count - 1
        endRun(of: parent, under: path.dropLast())
        open[parent].runName = ""
        open[parent].runCount = 0
        open[parent].holdsRecords = true
    }

    /// An element outside records ends; `path` ends with it.
    mutating func end(path: [String]) {
        guard open.count > 1 else { return }
        endRun(of: open.count - 1, under: path[...])
        let ended = open.removeLast()
        if ended.holdsRecords {
            open[open.count - 1].runHoldsRecords = true
            open[open.count - 1].holdsRecords = true
        }
    }

    private mutating func endRun(of index: Int, under parentPath: ArraySlice<String>) {
        let element = open[index]
        guard element.runCount >= 2, !element.runHoldsRecords, element.runCount > largest?.count ?? 0 else { return }
        largest = Group(path: Array(parentPath) + [element.runName], count: element.runCount, line: element.runLine)
    }
}
