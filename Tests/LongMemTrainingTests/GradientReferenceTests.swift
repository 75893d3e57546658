import Foundation
import LongMemRuntime
import LongMemTensor
import LongMemTraining
import Testing

@Suite("SideNet gradients equal PyTorch autograd (both backbone families, memory path included)")
struct GradientReferenceTests {
    @Test(
        "losses and every parameter's gradient on 3 segments (empty memory, then memory)",
        arguments: ["newgpt", "llama"])
    func gradients(family: String) throws {
        let fixture = try TrainingFixture(family)
        let sideNet = try fixture.makeSideNet()
        let memory = try fixture.makeMemory()
        var worst: Float = 0
        for segment in 0..<TrainingFixture.segments {
            sideNet.zeroGradients()
            let loss = try sideNet.loss(
                segment: fixture.inputs(segment), targets: fixture.targets(segment), backbone: fixture.backbone,
                memory: memory)
            let expectedLoss = try fixture.value("loss.A.\(segment)")
            #expect(abs(Float(loss) - expectedLoss) <= 1e-4 * abs(expectedLoss), "\(family) segment \(segment) loss")
            for parameter in sideNet.parameters {
                let expected = try fixture.expected.tensor("grad.\(segment).\(parameter.name)").toArray()
                let error = relativeError(parameter.gradient.toArray(), expected)
                #expect(error <= 1e-4, "\(family) segment \(segment) \(parameter.name): relative error \(error)")
                worst = max(worst, error)
            }
        }
        print("\(family): worst relative gradient error \(worst)")
    }
}

@Suite("AdamW and gradient clipping equal torch.optim.AdamW and clip_grad_norm_")
struct OptimizerReferenceTests {
    @Test(
        "three clipped AdamW steps on the memory stream: losses, pre-clip norms, final parameters",
        arguments: ["newgpt", "llama"])
    func steps(family: String) throws {
        let fixture = try TrainingFixture(family)
        let sideNet = try fixture.makeSideNet()
        let memory = try fixture.makeMemory()
        let optimizer = AdamW(parameters: sideNet.parameters)
        for (segment, rate) in zip(0..<TrainingFixture.segments, [Float(1e-3), 5e-4, 2.5e-4]) {
            sideNet.zeroGradients()
            let loss = try sideNet.loss(
                segment: fixture.inputs(segment), targets: fixture.targets(segment), backbone: fixture.backbone,
                memory: memory)
            let norm = GradientClipping.clip(sideNet.parameters, maxNorm: 0.5)
            optimizer.update(rate: rate)
            let expectedLoss = try fixture.value("loss.B.\(segment)"),
                expectedNorm = try fixture.value("grad_norm.B.\(segment)")
            #expect(abs(Float(loss) - expectedLoss) <= 1e-4 * abs(expectedLoss))
            #expect(abs(Float(norm) - expectedNorm) <= 1e-4 * expectedNorm, "pre-clip norm \(norm) vs \(expectedNorm)")
        }
        for parameter in sideNet.parameters {
            let expected = try fixture.expected.tensor("final.\(parameter.name)").toArray()
            let error = relativeError(parameter.value.toArray(), expected)
            #expect(error <= 1e-4, "\(family) \(parameter.name): relative error \(error)")
        }
    }
}
