import CLibXML2

/// A field path inside an XML record (`owned_by`, `owned_by@display_value`, `model.version`).
struct XMLFieldPath {
    /// The path's number in its source's `XMLFieldPaths`; -1 for the record element itself and
    /// for paths left unnumbered.
    var number: Int
    /// The path as fields name it ("" for the record element).
    var text: String
    /// Whether elements at this path are records of their own (a model card's considerations).
    var isChildRecord: Bool

    /// The record element.
    static let record = XMLFieldPath(number: -1, text: "", isChildRecord: false)
}

/// The field paths of one XML source, each built and numbered once.
///
/// Every record of an export repeats the same elements and attributes: without this table the
/// flattener would build the same path strings for every record, and the normalizer would hash
/// them again to find each field's mapping. libxml2 keeps element and attribute names in its
/// dictionary for the reader's whole life, so a name's address identifies the name: a path is
/// known by (its parent's number, the name's address). The numbers are the fields'
/// `SourceField.column`, which the normalizer indexes its per-field state by.
final class XMLFieldPaths {
    /// A numbered path below a parent: its name's address, whether it is an attribute, its number.
    private struct Child {
        let name: UnsafePointer<xmlChar>
        let isAttribute: Bool
        let number: Int
    }

    /// Distinct paths numbered at most. Past it (made-up element names on every record), paths
    /// are built each time and left unnumbered, so the table stays small.
    static let limit = 4096

    /// The numbered children of each path, by the parent's number + 1 (0: the record element).
    /// Searched in order rather than hashed: an element has a few dozen children at most, and
    /// comparing addresses is cheaper than hashing them. A parent with more than
    /// `searchedChildren` (a record of 2,000 fields, where the search took two fifths of reading)
    /// has its children hashed in `hashedChildren` as well.
    // Unchecked exclusivity: a table serves one reader on one thread, and the dynamic checks
    // on these two arrays measured as half the cost of a lookup.
    @exclusivity(unchecked) private var children: [[Child]] = [[]]
    @exclusivity(unchecked) private var paths: [XMLFieldPath] = []
    @exclusivity(unchecked) private var hashedChildren: [Int: [ChildKey: Int]] = [:]
    static let searchedChildren = 32

    /// A child's name's address and whether it is an attribute.
    private struct ChildKey: Hashable {
        let name: UnsafePointer<xmlChar>
        let isAttribute: Bool
    }
    private let childPaths: Set<String>

    /// A table for a source whose elements at `childPaths` are records of their own.
    init(childPaths: Set<String>) {
        self.childPaths = childPaths
    }

    /// The path of the element or attribute `name` under `parent`. `interned` says whether the
    /// name's address is libxml2's dictionary entry (and so stands for the name); a path with an
    /// uninterned name is built but not numbered.
    func path(under parent: XMLFieldPath, name: UnsafePointer<xmlChar>?, isAttribute: Bool,
              interned: Bool) -> XMLFieldPath {
        let slot = parent.number + 1
        let numbered = interned && name != nil && (parent.number >= 0 || parent.text.isEmpty)
        if numbered, let name {
            if children[slot].count > XMLFieldPaths.searchedChildren {
                if let number = hashedChildren[slot]?[ChildKey(name: name, isAttribute: isAttribute)] { return paths[number] }
            } else if let known = children[slot].first(where: { $0.name == name && $0.isAttribute == isAttribute }) {
                return paths[known.number]
            }
        }
        let nameText = name.map { String(cString: $0) } ?? ""
        let text = isAttribute ? "\(parent.text)@\(nameText)"
            : parent.text.isEmpty ? nameText : "\(parent.text).\(nameText)"
        var path = XMLFieldPath(number: -1, text: text, isChildRecord: !isAttribute && childPaths.contains(text))
        if numbered, let name, paths.count < XMLFieldPaths.limit {
            path.number = paths.count
            children[slot].append(Child(name: name, isAttribute: isAttribute, number: path.number))
            if children[slot].count > XMLFieldPaths.searchedChildren {
                if hashedChildren[slot] == nil {
                    hashedChildren[slot] = Dictionary(uniqueKeysWithValues: children[slot].map {
                        (ChildKey(name: $0.name, isAttribute: $0.isAttribute), $0.number)
                    })
                } else {
                    hashedChildren[slot]![ChildKey(name: name, isAttribute: isAttribute)] = path.number
                }
            }
            children.append([])
            paths.append(path)
        }
        return path
    }
}
