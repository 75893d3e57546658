#!/usr/bin/env python3
"""Writes Tests/Fixtures/tokenizer/cases.json: reference GPT-2 BPE ids for the Swift tokenizer tests.

Reference: HF `tokenizers` (the Rust library behind transformers' GPT2TokenizerFast), built directly
from OpenAI's encoder.json + vocab.bpe:

    Tokenizer(models.BPE(vocab, merges))
      .pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
      .decoder       = decoders.ByteLevel()

(transformers 5.x's `GPT2TokenizerFast(vocab_file=..., merges_file=...)` silently builds an EMPTY
vocabulary, so it is not used.)

Pinned versions this fixture was generated with:
    Python 3.11.7, tokenizers==0.23.3 (Oniguruma regex with Unicode 16.0 tables)

Data: $LONGMEM_EVAL_DATA (default: ../shared/datasets relative to the repo root) must hold
gpt2_bpe/encoder.json and gpt2_bpe/vocab.bpe.

Usage (from anywhere):
    python3 Scripts/reference/make_tokenizer_fixtures.py

What the fixture holds:
    cases              ~60 hand-picked texts + seeded random strings: HF pre-tokenizer pieces, ids,
                       and the decoded text.
    special_cases      texts containing <|endoftext|>: ids as plain text and with the token split out.
    split_decodes      id prefixes that cut multi-byte characters: their bytes and
                       bytes.decode("utf-8", errors="replace").
    utf8_replacement   random invalid byte strings and their Python errors="replace" decoding.
    scalar_classes     run-length classes (L letter, N number, S whitespace, O other, x surrogate) of
                       every code point as the HF pre-tokenizer sees them, probed one code point at a
                       time.
"""

import json
import random
import sys
import time

import tokenizers
from tokenizers import pre_tokenizers

from common import FIXTURES, ROOT, gpt2_tokenizer

PINNED_TOKENIZERS = "0.23.3"

REPO_ROOT = ROOT
OUTPUT = FIXTURES / "tokenizer" / "cases.json"

# (name, text). Lone surrogates are left out: they are not valid Swift strings.
TEXTS = [
    ("sanity", "Hello world!"),
    ("empty", ""),
    ("single space", " "),
    ("only spaces", "     "),
    ("only whitespace mix", " \t\n \r\n\u3000 "),
    ("leading spaces", "  hello"),
    ("leading three spaces", "   hello world"),
    ("trailing spaces", "hello   "),
    ("trailing newline", "The end.\n"),
    ("tabs", "a\t\tb\tc"),
    ("tab before word", "x \tword"),
    ("newlines", "line one\nline two\n\nline four"),
    ("crlf", "first\r\nsecond\r\n\r\nthird"),
    ("nbsp", "a\u00a0b a\u00a0 b 100\u00a0km"),
    ("ideographic space", "\u65e5\u672c\u3000\u8a9e  \u3000x"),
    ("line separators", "one\u2028two\u2029three\u0085four"),
    ("other unicode spaces", "a\u2003b\u2009c\u202fd\u205fe\u1680f"),
    ("zero width", "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom"),
    ("not whitespace controls", "a\x1cb\x1fc\x00d\x7fe"),
    ("contractions", "don't can't I'm you're we've he'll she'd it's"),
    ("contractions upper", "DON'T IT'S I'M WE'VE YOU'LL THEY'D 'S 'T"),
    ("contraction like", "'sup 'till o'clock rock'n'roll ''s ' s"),
    ("curly apostrophe", "don\u2019t it\u2019s"),
    ("numbers", "1 12 123 1234 12345 3.14159 -42 1,000,000 0x1F 1e-9"),
    ("numbers other scripts", "\u0661\u0662\u0663 \u0967\u0968 \u0e51\u0e52 \u00bd \u2167 \u2460\u2461 \uff11\uff12"),
    ("punctuation", "Wait... what?! (yes) [no] {maybe} <tag> -- \u2014 \u2013 \u00ab\u00bb \u201cquoted\u201d"),
    ("mixed punctuation runs", "a!!!b???c...d;;;e::f//g\\\\h"),
    ("url", "https://example.com/path?query=1&b=two#frag"),
    ("email", "someone@example.org, other.person+tag@mail.co.uk"),
    ("code python", "def f(x):\n    return x ** 2  # square\n\nprint(f(3))\n"),
    ("code swift", "let xs: [Int] = (0..<10).map { $0 * 2 }\nguard let y = xs.first else { return }\n"),
    ("code c braces", "int main(void) {\n\tprintf(\"%d\\n\", 42);\n\treturn 0;\n}\n"),
    ("json", "{\"key\": [1, 2.5, true, null], \"nested\": {\"a\": \"b\"}}"),
    ("latex", "\\begin{equation}\n  E = mc^2 + \\int_0^\\infty e^{-x^2}\\,dx \\quad \\alpha_{i,j}\n\\end{equation}"),
    ("markdown", "# Title\n\n* item one\n* **bold** and _italic_\n\n| a | b |\n|---|---|\n"),
    ("french", "L'\u00e9l\u00e8ve a r\u00e9ussi \u00e0 l'examen, n'est-ce pas ? C'est \u00e7a."),
    ("german", "Stra\u00dfe \u00dcbergr\u00f6\u00dfe M\u00e4dchen GR\u00dc\u00dfE"),
    ("decomposed accents", "cafe\u0301 nai\u0308ve e\u0301le\u0300ve"),
    ("combining marks only", "\u0301\u0302\u0303 x\u20dd"),
    ("greek", "\u0391\u03c5\u03c4\u03cc \u03b5\u03af\u03bd\u03b1\u03b9 \u03ad\u03bd\u03b1 \u03ba\u03b5\u03af\u03bc\u03b5\u03bd\u03bf."),
    ("cyrillic", "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u042d\u0442\u043e \u0442\u0435\u0441\u0442."),
    ("arabic", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645\u060c \u0647\u0630\u0627 \u0627\u062e\u062a\u0628\u0627\u0631."),
    ("hebrew", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd"),
    ("devanagari", "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e"),
    ("thai", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e0a\u0e32\u0e27\u0e42\u0e25\u0e01"),
    ("chinese", "\u4f60\u597d\uff0c\u4e16\u754c\uff01\u8fd9\u662f\u4e00\u4e2a\u6d4b\u8bd5\u3002"),
    ("japanese", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059\u3002\u30ab\u30bf\u30ab\u30ca\u3082\u3002"),
    ("korean", "\uc548\ub155\ud558\uc138\uc694 \uc138\uacc4"),
    ("cjk extension b", "\U00020000\U0002a6d6 \U00020bb7"),
    ("emoji", "I love \U0001f355 and \U0001f389!"),
    ("emoji skin tones", "\U0001f44d\U0001f3fd \U0001f44b\U0001f3ff thumbs\U0001f44d\U0001f3fb"),
    ("emoji zwj family", "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family"),
    ("emoji flags and keycaps", "\U0001f1fa\U0001f1f8 \U0001f1ef\U0001f1f5 1\ufe0f\u20e3 #\ufe0f\u20e3"),
    ("emoji zwj profession", "\U0001f469\U0001f3fd\u200d\U0001f4bb\U0001f9d1\u200d\U0001f680"),
    ("math symbols", "\u2200x\u2208\u211d: x\u00b2 \u2265 0 \u2227 \u221a4 = 2 \u2260 \u03c0"),
    ("box drawing", "\u250c\u2500\u2510\n\u2502x\u2502\n\u2514\u2500\u2518"),
    ("fullwidth", "\uff21\uff22\uff23 \uff41\uff42\uff43 \uff01\uff1f"),
    ("private use and specials", "\ue000\uf8ff \ufffd \U0010fffd"),
    ("mongolian vowel separator", "a\u180eb"),
    ("endoftext literal", "end<|endoftext|>start"),
    ("long word repeat", "=" * 3000),
    ("long mixed run", "ab" * 700 + "\u00e9" * 300),
    ("long digits", "1234567890" * 80),
    ("gutenberg style", "CHAPTER I.\r\n\r\n\u201cWell,\u201d said he, \u201cI\u2019ve never\u2014\u201d\r\n    _Mr. Holmes_"),
    ("spaces before punctuation", "a  ,b   !c    (d"),
    ("space before newline", "end of line \nnext"),
    ("unicode 17 letters", "x\u088fy \U00010940z"),
]




def byte_decoder():
    """Inverse of OpenAI's bytes_to_unicode()."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1))
    bs += list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def random_texts(count, seed=20240501):
    """Short random strings over an alphabet chosen to stress the pre-tokenizer's branches."""
    alphabet = list("aZ9 '  \t\n\r.!?-_sSmtdlrve") + [
        "\u00a0", "\u3000", "\u2028", "\u0085", "\u200d", "\u0301", "\u00e9", "\u65e5", "\u0661",
        "\u00bd", "\U0001f44d", "\U0001f3fd", "\ufe0f", "\x1c", "\u2003", "'s", "'ll", "'re", "  ",
    ]
    rng = random.Random(seed)
    return [("random %02d" % i, "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))))
            for i in range(count)]


def make_cases(tokenizer, decoder_map):
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False)
    cases = []
    for name, text in TEXTS + random_texts(40):
        encoding = tokenizer.encode(text)
        pieces = [bytes(decoder_map[c] for c in piece).decode("utf-8") for piece, _ in pre.pre_tokenize_str(text)]
        assert "".join(pieces) == text, name
        decoded = bytes(b for i in encoding.ids for b in token_bytes(tokenizer, decoder_map, i)).decode("utf-8", "replace")
        assert decoded == tokenizer.decode(encoding.ids) == text, name
        cases.append({"name": name, "text": text, "pieces": pieces, "ids": encoding.ids, "decoded": decoded})
    return cases


def token_bytes(tokenizer, decoder_map, token_id):
    return [decoder_map[c] for c in tokenizer.id_to_token(token_id)]


def make_special_cases(tokenizer):
    special = gpt2_tokenizer()
    special.add_special_tokens(["<|endoftext|>"])
    texts = ["end<|endoftext|>start", "<|endoftext|>", "a <|endoftext|> b<|endoftext|><|endoftext|>",
             "<|endoftext|\n<|endoftext|>"]
    return [{"text": t, "plain_ids": tokenizer.encode(t).ids, "special_ids": special.encode(t).ids} for t in texts]


def make_split_decodes(tokenizer, decoder_map):
    """Every prefix of the ids of texts whose characters span several tokens."""
    out = []
    for text in ["\u65e5\u672c\u8a9e", "\U0001f44d\U0001f3fd!", "na\u00efve \u20ac5", "\U0001f468\u200d\U0001f469\u200d\U0001f467"]:
        ids = tokenizer.encode(text).ids
        for end in range(1, len(ids) + 1):
            raw = bytes(b for i in ids[:end] for b in token_bytes(tokenizer, decoder_map, i))
            out.append({"ids": ids[:end], "bytes": list(raw), "text": raw.decode("utf-8", "replace")})
    return out


def make_utf8_replacement(count=80, seed=7):
    """Invalid and truncated UTF-8: overlong forms, surrogates, > U+10FFFF, stray continuations."""
    interesting = [0x41, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED,
                   0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF]
    rng = random.Random(seed)
    fixed = [b"\xed\xa0\x80", b"\xf0\x9f\x91", b"\xe6\x97", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"a\x80b"]
    out = [{"bytes": list(b), "text": b.decode("utf-8", "replace")} for b in fixed]
    for _ in range(count):
        raw = bytes(rng.choice(interesting) for _ in range(rng.randint(1, 7)))
        out.append({"bytes": list(raw), "text": raw.decode("utf-8", "replace")})
    return out


def make_scalar_classes():
    """Run-length classes of all code points, probed through the HF pre-tokenizer itself."""
    pre = pre_tokenizers.ByteLevel(add_prefix_space=False)
    classes = []
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            classes.append("x")
            continue
        c = chr(cp)
        if len(pre.pre_tokenize_str("a" + c)) == 1:
            classes.append("L")  # joins a letter run
        elif len(pre.pre_tokenize_str("1" + c)) == 1:
            classes.append("N")  # joins a number run
        elif len(pre.pre_tokenize_str("!" + c)) == 1:
            classes.append("O")  # joins an "other" run
        else:
            classes.append("S")  # whitespace: joins none of them
    runs = []
    previous, length = classes[0], 0
    for k in classes:
        if k == previous:
            length += 1
        else:
            runs.append("%s%d" % (previous, length))
            previous, length = k, 1
    runs.append("%s%d" % (previous, length))
    return " ".join(runs)


def main():
    if tokenizers.__version__ != PINNED_TOKENIZERS:
        print("warning: tokenizers %s, fixture was pinned to %s" % (tokenizers.__version__, PINNED_TOKENIZERS),
              file=sys.stderr)
    started = time.time()
    tokenizer = gpt2_tokenizer()
    decoder_map = byte_decoder()
    fixture = {
        "generator": "Scripts/reference/make_tokenizer_fixtures.py",
        "reference": "tokenizers %s BPE + ByteLevel(add_prefix_space=False), from gpt2_bpe/encoder.json + vocab.bpe"
                     % tokenizers.__version__,
        "cases": make_cases(tokenizer, decoder_map),
        "special_cases": make_special_cases(tokenizer),
        "split_decodes": make_split_decodes(tokenizer, decoder_map),
        "utf8_replacement": make_utf8_replacement(),
        "scalar_classes": make_scalar_classes(),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print("wrote %s (%d cases, %d bytes) in %.1f s" % (OUTPUT.relative_to(REPO_ROOT), len(fixture["cases"]),
                                                       OUTPUT.stat().st_size, time.time() - started))


if __name__ == "__main__":
    main()
