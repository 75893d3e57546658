import Foundation

/// A SideNet training run's loss curve, read from its folder (`train.jsonl` and `training.json`, written by
/// `longmem-eval train`).
public struct TrainingCurve: Sendable, Equatable {
    public struct Point: Sendable, Equatable, Decodable {
        public var step: Int
        public var tokens: Int
        public var loss: Double
        public var validationLoss: Double?
        public var wallSeconds: Double
    }

    public var name: String
    public var folder: String
    public var points: [Point]
    /// The validation loss before the first update (start.json), if the run recorded it.
    public var startingValidationLoss: Double?

    /// Whether `folder` is a training run (has a train.jsonl).
    public static func isTrainingFolder(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent("train.jsonl"))
    }

    public static func load(folder: String) throws -> TrainingCurve {
        let path = (folder as NSString).appendingPathComponent("train.jsonl")
        let text = String(decoding: try JSONDocumentReader.read(path: path, name: "train.jsonl"), as: UTF8.self)
        var points: [Point] = []
        for (index, line) in text.split(separator: "\n").enumerated() {
            do {
                points.append(try JSONDecoder().decode(Point.self, from: Data(line.utf8)))
            } catch {
                throw ReportError.schemaMismatch(
                    path: path, reason: "line \(index + 1): \(JSONDocumentReader.reason(error))")
            }
        }
        guard !points.isEmpty else { throw ReportError.emptyFile(path: path) }
        for point in points where !point.loss.isFinite || !(point.validationLoss?.isFinite ?? true) {
            throw ReportError.badNumber(path: path, field: "loss", value: point.loss, detail: "at update \(point.step)")
        }
        return TrainingCurve(
            name: Self.name(folder), folder: folder, points: points, startingValidationLoss: Self.start(folder))
    }

    static func start(_ folder: String) -> Double? {
        let path = (folder as NSString).appendingPathComponent("start.json")
        guard let data = FileManager.default.contents(atPath: path),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let loss = json["validationLoss"] as? Double, loss.isFinite
        else { return nil }
        return loss
    }

    /// "<backbone> · <initialisation> SideNet" from training.json, else the folder's name.
    static func name(_ folder: String) -> String {
        let path = (folder as NSString).appendingPathComponent("training.json")
        guard let data = FileManager.default.contents(atPath: path),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let backbone = (json["backbone"] as? [String: Any])?["name"] as? String,
            let initialisation = (json["configuration"] as? [String: Any])?["initialisation"] as? String
        else { return (folder as NSString).lastPathComponent }
        return "\(backbone) · \(initialisation) SideNet"
    }
}
