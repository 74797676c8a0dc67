import ArgumentParser

/// Benchmark helpers used by `scripts/bench-*`: the gateway's ceiling server and the consumer benchmark.
@main
struct SubstrateBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "substrate-bench",
        abstract: "Benchmarks of Event Substrate (run through scripts/bench-gateway and scripts/bench-consumer).",
        subcommands: [CeilingServer.self, ConsumerBench.self])
}
