import DequeModule
import Foundation

/// A first-in first-out queue between threads that blocks the producer when full and the
/// consumer when empty; closing it wakes everyone. Keeps memory bounded while stages run at
/// different speeds.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Elements are moved out (`popFirst()`), not copied, so the consumer owns them uniquely.
    private var items = Deque<Element>()
    private let capacity: Int
    private var closed = false

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds an element, waiting while the queue is full. Returns false if the queue was closed.
    /// The element is consumed: a producer that kept a reference to it would make the consumer's
    /// first mutation copy it.
    @discardableResult
    func push(_ element: consuming Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        if closed { return false }
        // Consumed here, inside the lock: left to the end of the function, the element's
        // reference would be dropped only after a consumer may have taken it.
        items.append(consume element)
        condition.broadcast()
        return true
    }

    /// Takes the oldest element, waiting while the queue is empty; nil once closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard let element = items.popFirst() else { return nil }
        condition.broadcast()
        return element
    }

    /// Ends the queue: producers stop, consumers drain what is left and then get nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Results that arrive out of order and are taken in sequence order. A producer more than
/// `window` results ahead of the taker waits, so memory stays bounded when writing is slower
/// than producing.
final class ReorderBuffer<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [Int: Element] = [:]
    private var closed = false
    private var nextTaken = 0
    private let window: Int

    init(window: Int) {
        self.window = window
    }

    /// Files the result numbered `sequence` (consumed, as in `BoundedQueue.push`).
    func put(_ element: consuming Element, sequence: Int) {
        condition.lock()
        while sequence >= nextTaken + window && !closed { condition.wait() }
        waiting[sequence] = consume element
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the result numbered `sequence`; nil if the buffer was closed without it.
    func take(_ sequence: Int) -> Element? {
        condition.lock()
        defer { condition.unlock() }
        nextTaken = sequence
        condition.broadcast()
        while waiting[sequence] == nil && !closed { condition.wait() }
        return waiting.removeValue(forKey: sequence)
    }

    /// Wakes a waiting taker for good.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// A budget of bytes shared by the stages of a pipeline: a producer takes bytes before it sends
/// work and waits while the budget is spent; whoever finishes the work gives them back. It bounds
/// what all the queues between the stages hold together, which their counts of items do not when
/// items can be megabytes. One item larger than the whole budget goes through alone.
///
/// Items are counted before they are made into what they become: a reader knows a record's
/// bytes, not what normalizing makes of them (a cell of 98,000 references, 1 MB, is 5 MB of
/// JSON). So the budget also learns how many times its footprint a batch's output takes
/// (`expansion`, which producers multiply footprints by) and is charged, without waiting, for
/// output beyond what was taken for it (`charge(_:)`).
final class ByteBudget: @unchecked Sendable {
    private let condition = NSCondition()
    private let limit: Int
    private var used = 0
    private var closed = false
    private var learned = 1.0

    init(limit: Int) {
        self.limit = limit
    }

    /// How many times its footprint what is made of an item takes, as recently seen: at least 1.
    var expansion: Double {
        condition.lock()
        defer { condition.unlock() }
        return learned
    }

    /// Learns from a batch whose items' footprints add up to `footprint` and whose output took
    /// `output` bytes. The estimate follows the latest batches but comes down slowly (by an
    /// eighth a batch), so that one batch of plain records amid dense ones does not let the
    /// next dense ones in at their footprint.
    func observe(footprint: Int, output: Int) {
        guard footprint > 0 else { return }
        condition.lock()
        learned = max(1, Double(output) / Double(footprint), learned * 7 / 8)
        condition.unlock()
    }

    /// Counts `count` more bytes as taken, without waiting (the output of work that took less
    /// than it turned out to need); they are given back with the rest.
    func charge(_ count: Int) {
        guard count > 0 else { return }
        condition.lock()
        used += count
        condition.unlock()
    }

    /// Takes `count` bytes, waiting while they would go over the limit (and anything is taken).
    func take(_ count: Int) {
        condition.lock()
        while used > 0 && used + count > limit && !closed { condition.wait() }
        used += count
        condition.unlock()
    }

    /// Gives back `count` bytes taken before.
    func give(_ count: Int) {
        condition.lock()
        used -= count
        condition.broadcast()
        condition.unlock()
    }

    /// Stops waiting for good (the consumer is gone).
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Hands a value that is not `Sendable` to exactly one other thread, which owns it from then on.
final class Handoff<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}

/// Things one stage is done with, kept for another stage to use again rather than free and
/// allocate anew: at most `capacity` of them; any more are dropped.
final class SparePool<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var spares: [Element] = []
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        spares.reserveCapacity(capacity)
    }

    /// Keeps `element` for `take()`, unless the pool is full.
    func put(_ element: consuming Element) {
        lock.lock()
        defer { lock.unlock() }
        if spares.count < capacity { spares.append(consume element) }
    }

    /// A kept element, if there is one.
    func take() -> Element? {
        lock.lock()
        defer { lock.unlock() }
        return spares.popLast()
    }
}
