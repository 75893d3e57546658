import LongMemHarness

/// ICL metrics from the per-sample records alone, so that a resumed or merged run reports exactly what
/// an uninterrupted one does.
///
/// - `greedy_prefix` (the official metric): the argmax over the whole vocabulary after the prompt, decoded
///   and stripped, is non-empty and a prefix of the gold label word;
/// - `label_rank`: the label word with the highest log-likelihood is the gold one.
/// Per task and seed: accuracy with a 95% Wilson interval; per task: mean and population standard
/// deviation over seeds; over tasks: the average of the task means.
public enum ICLMetrics {
    public static let names = ["greedy_prefix", "label_rank"]

    public static func compute(_ records: [SampleRecord]) -> [Metric] {
        let queries = records.filter { $0.labels["record"] == nil }
        var metrics: [Metric] = []
        let shotsValues = Set(queries.compactMap { $0.labels["shots"] }).sorted()
        for shots in shotsValues {
            let ofShots = queries.filter { $0.labels["shots"] == shots }
            let tasks = Set(ofShots.compactMap { $0.labels["task"] }).sorted()
            var taskMeans: [String: [Double]] = [:]
            for task in tasks {
                let ofTask = ofShots.filter { $0.labels["task"] == task }
                let seeds = Set(ofTask.compactMap { $0.labels["seed"] }).sorted { Int($0)! < Int($1)! }
                for name in names {
                    var accuracies: [Double] = []
                    for seed in seeds {
                        let outcomes = ofTask.filter { $0.labels["seed"] == seed }.map { $0.correct?[name] == true }
                        let successes = outcomes.filter { $0 }.count
                        let accuracy = Double(successes) / Double(outcomes.count)
                        accuracies.append(accuracy)
                        metrics.append(
                            Metric(
                                name: name, value: accuracy,
                                stderr: Statistics.proportionStandardError(successes: successes, count: outcomes.count),
                                interval: Statistics.wilsonInterval(successes: successes, count: outcomes.count),
                                higherIsBetter: true, count: outcomes.count,
                                labels: ["task": task, "seed": seed, "shots": shots]))
                    }
                    let labels = ["task": task, "shots": shots]
                    metrics.append(
                        Metric(
                            name: name, value: Statistics.mean(accuracies), higherIsBetter: true, count: seeds.count,
                            labels: labels.merging(["aggregate": "mean_over_seeds"]) { $1 }))
                    metrics.append(
                        Metric(
                            name: name, value: Statistics.populationStandardDeviation(accuracies),
                            higherIsBetter: false,
                            count: seeds.count, labels: labels.merging(["aggregate": "std_over_seeds"]) { $1 }))
                    taskMeans[name, default: []].append(Statistics.mean(accuracies))
                }
            }
            if tasks.count > 1 {
                for name in names {
                    metrics.append(
                        Metric(
                            name: name, value: Statistics.mean(taskMeans[name] ?? []), higherIsBetter: true,
                            count: tasks.count,
                            labels: [
                                "aggregate": "average_over_tasks", "shots": shots,
                                "tasks": tasks.joined(separator: ","),
                            ]))
                }
            }
        }
        return metrics
    }
}
