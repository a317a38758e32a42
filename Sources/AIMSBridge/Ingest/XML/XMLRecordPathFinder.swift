import CLibXML2

/// Finds the record element of an XML export from its first bytes: the shallowest element that
/// occurs at least twice under one parent (`<unload><risk/><risk/>` → `/unload/risk`). With no
/// repeat in the sample, the first child of the root. Elements seen before a break in the
/// document count: a broken export still has its records read up to the break.
enum XMLRecordPathFinder {
    static func find(in prefix: ArraySlice<UInt8>) -> [String] {
        _ = XMLSupport.initialised
        var handler = XMLSupport.saxHandler()
        handler.startElementNs = { context, name, _, _, _, _, _, _, _ in
            guard let (search, context) = XMLSupport.target(of: context, as: Search.self), let name else { return }
            if search.pointee.start(String(cString: name)) { xmlStopParser(context) }
        }
        handler.endElementNs = { context, _, _, _ in
            XMLSupport.target(of: context, as: Search.self)?.target.pointee.end()
        }
        // Errors end the search where they are; nothing is reported from a sample.
        handler.serror = { _, _ in }
        let search = UnsafeMutablePointer<Search>.allocate(capacity: 1)
        search.initialize(to: Search())
        defer {
            search.deinitialize(count: 1)
            search.deallocate()
        }
        guard let context = XMLSupport.pushParser(handler: &handler, first: prefix, name: "", target: search) else { return [] }
        defer { XMLSupport.free(context) }
        return search.pointee.best ?? search.pointee.firstChild ?? []
    }

    /// The elements seen so far, with the names seen under each open element.
    private struct Search: XMLEventTarget {
        var context: xmlParserCtxtPtr?
        var path: [String] = []
        /// Names seen under each open element (the first set: the document's root level).
        var siblings: [Set<String>] = [[]]
        var best: [String]?
        var firstChild: [String]?

        /// An element starts; true when the search is over (a repeat just below the root).
        mutating func start(_ name: String) -> Bool {
            let depth = path.count
            path.append(name)
            if depth == 1 && firstChild == nil { firstChild = path }
            siblings.append([])
            if siblings[depth].insert(name).inserted { return false }
            if best == nil || path.count < best!.count { best = path }
            return depth <= 1
        }

        /// The current element ends.
        mutating func end() {
            path.removeLast()
            siblings.removeLast()
        }
    }
}
