"""Writes deterministic English-like text for the word count example: one line per row, a one-column CSV.

    python generate_lines.py [--lines N] [--seed S] OUT

Words follow a Zipf-like distribution over a fixed vocabulary, with random capitalisation and sentence
punctuation (. ? !), so the UDF has to lower-case and strip. No commas or quotes: each line is a plain CSV field.
"""

import argparse
import os
import random

VOCABULARY = """the of and to a in is it you that he was for on are with as I his they be at one have this
from or had by hot word but what some we can out other were all there when up use your how said an each she
which do their time if will way about many then them write would like so these her long make thing see him two
has look more day could go come did number sound no most people my over know water than call first who may down
side been now find any new work part take get place made live where after back little only round man year came
show every good me give our under name very through just form sentence great think say help low line differ turn
cause much mean before move right boy old too same tell does set three want air well also play small end put home
read hand port large spell add even land here must big high such follow act why ask men change went light kind
off need house picture try us again animal point mother world near build self earth father don't can't it's
stream flink python arrow swift udf""".split()


def generate(out, lines, seed):
    rng = random.Random(seed)
    # Zipf-like weights: the k-th word is 1/k as frequent as the first.
    weights = [1.0 / (k + 1) for k in range(len(VOCABULARY))]
    with open(out, "w", encoding="utf-8", newline="") as f:
        for _ in range(lines):
            words = rng.choices(VOCABULARY, weights, k=rng.randint(3, 16))
            words[0] = words[0].capitalize()
            for i in range(1, len(words)):
                r = rng.random()
                if r < 0.03:
                    words[i] = words[i].upper()
                elif r < 0.08:
                    words[i] = words[i].capitalize()
            if len(words) > 6 and rng.random() < 0.3:  # two sentences on one line
                cut = rng.randint(2, len(words) - 2)
                words[cut - 1] += rng.choice(".?!")
                words[cut] = words[cut].capitalize()
            f.write(" ".join(words) + rng.choice(".....?!") + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10000, help="number of lines (default 10000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("out", help="CSV file to write (its folder is created)")
    args = parser.parse_args()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    generate(args.out, args.lines, args.seed)


if __name__ == "__main__":
    main()
