"""Tiny seeded Llama models shared by the fixture scripts (make_llama_fixture.py, make_infllm_fixture.py).

Weights are drawn with a larger spread than transformers' default init, so that attention is far from
uniform, and rounded to float16 so that a reference run sees exactly the weights a fixture stores."""
import torch
from transformers import LlamaConfig, LlamaForCausalLM


def seeded_llama(config: LlamaConfig, seed: int, spread: float) -> LlamaForCausalLM:
    """Norm weights 1 + N(0, 0.3), every other weight N(0, spread), all rounded to float16."""
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).float().eval()
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "norm" in name:
                parameter.copy_(1 + 0.3 * torch.randn_like(parameter))
            else:
                parameter.copy_(spread * torch.randn_like(parameter))
            parameter.copy_(parameter.half().float())  # the fixtures store F16
    return model


def causal_log_probs(model: LlamaForCausalLM, ids: list[int]) -> list[float | None]:
    """transformers' own forward: the log-probability of every token given the ones before it (None for
    token 0), in float64 from the model's logits."""
    with torch.inference_mode():
        logits = model(torch.tensor([ids])).logits[0].double()
    lp = torch.log_softmax(logits, dim=-1)
    return [None] + [lp[i - 1, ids[i]].item() for i in range(1, len(ids))]
