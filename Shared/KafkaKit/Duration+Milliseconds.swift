extension Duration {
    /// Whole milliseconds (truncated), for librdkafka's millisecond timeouts.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The same as an `Int32`, saturating, as the C API takes it.
    var cMilliseconds: Int32 { Int32(clamping: wholeMilliseconds) }
}
