internal import CRdKafka
import Logging
import NIOConcurrencyHelpers

extension KafkaConsumer {
    /// Leaves the group cleanly (revoking the assignment) and stops delivering events. Idempotent.
    ///
    /// A member that is mid-rebalance when the close begins (joining, or handed a revocation the application did not
    /// answer because it stopped polling to shut down) first finishes that rebalance, for at most half the timeout
    /// (5 s at most), and leaves from the settled group. A consumer the group coordinator never gave a member id (the
    /// broker is down) has no join under way and leaves at once. A leave in the middle of a rebalance is where group
    /// coordinators are weakest: the local broker (Tansu 0.6) keeps a leader that leaves while the group re-forms as
    /// the group's leader, so no member gets partitions again (seen as saga processors that waited minutes, or for
    /// ever, for an assignment; test: `closeWithUnansweredRevocation`).
    ///
    /// Returns within `timeout` plus a second even when librdkafka does not finish: serving a rebalance during the
    /// close calls `rd_kafka_assign`, which waits for the group's reply without a timeout, and that reply can fail to
    /// come once the group has finished closing. The blocked poll-queue thread keeps the consumer, its queue and its
    /// handle alive, so nothing is destroyed under it; the process exits without it.
    ///
    /// - Returns: whether the consumer left the group within the timeout (`true` also when it was already closed).
    @discardableResult
    public func close(timeout: Duration = .seconds(10)) async -> Bool {
        let start = state.withLockedValue { state -> (unassign: Bool, assignment: [KafkaTopicPartition]?)? in
            guard !state.closed else { return nil }
            state.closed = true
            defer {
                state.pendingAssignment = nil
                state.pendingUnassign = false
            }
            return (state.pendingUnassign, state.pendingAssignment)
        }
        guard let start else { return true }
        let now = ContinuousClock.now
        let deadline = now + timeout
        let settleBy = now + min(timeout / 2, .seconds(5))
        let finished = await BoundedWait.run(on: pollQueue, for: timeout + .seconds(1)) { [self] in
            // The poll queue is serial, so this starts after any blocking poll in flight. What that poll returned may
            // still be handled on the caller's thread: it answers a rebalance itself once the close began.
            if start.unassign { rd_kafka_assign(handle.pointer, nil) }
            if let partitions = start.assignment { assign(partitions) }
            settleRebalance(until: settleBy)
            leaveGroup(until: deadline)
            // The consumer lives until here even if this outlasts the wait: its `deinit` destroys the queue polled above.
            withExtendedLifetime(self) {}
        }
        state.withLockedValue { $0.assignment = [] }
        let left = finished && rd_kafka_consumer_closed(handle.pointer) != 0
        if left {
            logger.debug("consumer closed")
        } else {
            logger.warning("consumer close did not finish in time; leaving the group to the session timeout")
        }
        return left
    }

    /// Answers a rebalance that arrives once `close()` has begun: a revocation is released, an assignment taken as
    /// given (the leave then revokes it).
    func answerWhileClosing(rebalance event: OpaquePointer) {
        let list = rd_kafka_event_topic_partition_list(event)
        let assigned = rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS && list != nil
        rd_kafka_assign(handle.pointer, assigned ? list : nil)
        // Nothing is pending any more: `close()` cleared it, and nothing sets it once the close began.
        state.withLockedValue { state in
            state.assignment = []
            state.rebalancing = !assigned
        }
    }

    private func assign(_ partitions: [KafkaTopicPartition]) {
        let list = RDKafkaPartitionList.make(partitions.map { ($0, rdKafkaOffsetInvalid) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        rd_kafka_assign(handle.pointer, list)
        state.withLockedValue { $0.rebalancing = false }
    }

    /// Serves the queue until the member holds its next assignment, or `limit`. What is already queued is served
    /// first: a revocation nobody has taken yet starts the rebalance to settle.
    private func settleRebalance(until limit: ContinuousClock.Instant) {
        guard hasMemberID else { return }
        serveQueuedEventsWhileClosing()
        while state.withLockedValue({ $0.rebalancing }) && ContinuousClock.now < limit {
            serveOneEventWhileClosing(wait: 100)
        }
    }

    /// Whether the group coordinator has answered a JoinGroup of this member (it then holds a member id).
    private var hasMemberID: Bool {
        guard let id = rd_kafka_memberid(handle.pointer) else { return false }
        defer { rd_kafka_mem_free(handle.pointer, id) }
        return id.pointee != 0
    }

    /// Unsubscribes, revokes and sends the LeaveGroup, serving the queue until librdkafka is done or `deadline`.
    private func leaveGroup(until deadline: ContinuousClock.Instant) {
        if let error = rd_kafka_consumer_close_queue(handle.pointer, consumerQueue.pointer) {
            logger.warning("consumer close failed", metadata: ["error": "\(String(cString: rd_kafka_error_string(error)))"])
            rd_kafka_error_destroy(error)
        }
        while rd_kafka_consumer_closed(handle.pointer) == 0 && ContinuousClock.now < deadline {
            serveOneEventWhileClosing(wait: 100)
        }
        serveQueuedEventsWhileClosing()  // what librdkafka logged on the way out
    }

    /// Serves what the queue holds now, without waiting.
    private func serveQueuedEventsWhileClosing() {
        while rd_kafka_queue_length(consumerQueue.pointer) > 0 { serveOneEventWhileClosing(wait: 0) }
    }

    /// Waits up to `wait` ms for one event: rebalances are answered, logs forwarded, records dropped (never stored
    /// or committed, so the next owner reads them).
    private func serveOneEventWhileClosing(wait: Int32) {
        guard let event = rd_kafka_queue_poll(consumerQueue.pointer, wait) else { return }
        defer { rd_kafka_event_destroy(event) }
        switch rd_kafka_event_type(event) {
        case RD_KAFKA_EVENT_REBALANCE: answerWhileClosing(rebalance: event)
        case RD_KAFKA_EVENT_LOG: RDKafkaLog.forward(event, logger: logger)
        default: break
        }
    }
}
