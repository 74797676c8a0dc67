import ArgumentParser

/// Benchmark helpers used by `scripts/bench-*`: the gateway's ceiling server and the consumer benchmark.
@main
struct SubstrateBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "substrate-bench",
        abstract: "Benchmarks of Event Substrate (run through scripts/bench-gateway, bench-consumer and bench-saga).",
        subcommands: [CeilingServer.self, ConsumerBench.self, SagaBench.self])
}
