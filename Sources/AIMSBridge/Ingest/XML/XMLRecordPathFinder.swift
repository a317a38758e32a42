import CLibXML2

/// Finds the record element of an XML export from its first bytes: the shallowest element that
/// occurs at least twice under one parent (`<unload><risk/><risk/>` → `/unload/risk`). With no
/// repeat in the sample, the first child of the root.
enum XMLRecordPathFinder {
    static func find(in prefix: ArraySlice<UInt8>) -> [String] {
        _ = XMLSupport.initialised
        let bytes = Array(prefix)
        var best: [String]?
        var firstChild: [String]?
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let reader = xmlReaderForMemory(chars.baseAddress, Int32(chars.count), nil, nil,
                                                      XMLSupport.options) else { return }
                defer { xmlFreeTextReader(reader) }
                let capture = UnsafeMutablePointer<XMLErrorCapture>.allocate(capacity: 1)
                capture.initialize(to: XMLErrorCapture())
                defer { capture.deinitialize(count: 1); capture.deallocate() }
                xmlTextReaderSetStructuredErrorHandler(reader, XMLErrorCapture.handler, capture)
                var path: [String] = []
                // Names seen under the current parent, one set per open level.
                var siblings: [Set<String>] = [[]]
                while xmlTextReaderRead(reader) == 1 {
                    let depth = Int(xmlTextReaderDepth(reader))
                    let type = xmlTextReaderNodeType(reader)
                    guard type == Int32(XML_READER_TYPE_ELEMENT.rawValue) else { continue }
                    let name = XMLSupport.string(xmlTextReaderConstName(reader)) ?? ""
                    if path.count > depth { path.removeSubrange(depth...) }
                    if siblings.count > depth + 1 { siblings.removeSubrange((depth + 1)...) }
                    while siblings.count < depth + 1 { siblings.append([]) }
                    path.append(name)
                    if depth == 1 && firstChild == nil { firstChild = path }
                    if siblings[depth].contains(name) {
                        if best == nil || path.count < best!.count { best = path }
                        if depth <= 1 { break }
                    } else {
                        siblings[depth].insert(name)
                    }
                    siblings.append([])
                    if xmlTextReaderIsEmptyElement(reader) == 1 { path.removeLast(); siblings.removeLast() }
                }
            }
        }
        return best ?? firstChild ?? []
    }
}
