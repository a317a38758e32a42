/// Items a reader has finished and not yet handed out, handed out in the order they came, each
/// moved out as it is taken (leaving nil), never copied; emptied, keeping its memory, when the
/// last is taken. An array with a read index rather than a `Deque`: `Deque.append` borrows its
/// element, so each record was copied into the deque (every one of its arrays retained, and
/// released with the one appended).
struct HandOutQueue<Element> {
    private var items: [Element?] = []
    private var next = 0

    /// How many items are still to be taken.
    var count: Int { items.count - next }

    /// Whether every item has been taken.
    var isEmpty: Bool { next == items.count }

    /// Adds an item after the others.
    mutating func append(_ item: consuming Element) {
        items.append(consume item)
    }

    /// The first item not yet taken, moved out; nil when there is none.
    mutating func take() -> Element? {
        guard next < items.count else { return nil }
        defer {
            next += 1
            if next == items.count {
                items.removeAll(keepingCapacity: true)
                next = 0
            }
        }
        return items[next].take()
    }
}
