"""Experiment B of the losses study, class imbalance: ``make_classification(imbalance=0.05)``
(20 features, 95 % class 0, 5 % class 1), half for training, half for testing; an MLP
20-16-2 trained with Adam on the cross-entropy, unweighted and with the balanced class
weights w_c = n / (C n_c),

    L = sum_i w_{y_i} (-log softmax(z_i)_{y_i}) / sum_i w_{y_i},

which make the minority class count as much as the majority in total. On the test set:
the minority class's recall tp / (tp + fn), precision tp / (tp + fp) and F1 = 2PR / (P + R),
and the accuracy (which the unweighted loss can keep high by rarely predicting class 1).
"""

from __future__ import annotations

import numpy

from neuralab import metrics, nn
from neuralab.data import make_classification
from neuralab.lab.findings import PERCENT, Measure, Note, Ratio, Reading, find
from neuralab.lab.losses.common import CLS_FEATURES, Config, data_seed, mlp, split, train, wins
from neuralab.lab.study import Result, Seeds
from neuralab.lab.toolkit import Metric, compare
from neuralab.train import predict

__all__ = ["IMBALANCE", "report", "run"]

IMBALANCE = ("unweighted CE", "weighted CE")
RECALL = Metric("minority_recall", "minority recall", False, PERCENT, axis="recall (%)")
METRICS = [
    RECALL,
    Metric("minority_precision", "minority precision", False, PERCENT, axis="precision (%)"),
    Metric("minority_f1", "minority F1", False, PERCENT, axis="F1 (%)"),
    Metric("accuracy", "accuracy", False, PERCENT),
    Metric("predicted_minority", "test samples predicted minority"),
]


def run(config: Config, result: Result) -> dict:
    """Train with both losses; the scalars go into ``result``, the class weights and
    counts into the returned data."""
    x, y = make_classification(
        config.imb_samples,
        CLS_FEATURES,
        n_informative=5,
        n_redundant=2,
        imbalance=config.imbalance,
        flip_y=0.0,
        seed=data_seed(),
    )
    train_set, test = split(len(y), len(y) // 2)
    counts = numpy.bincount(y[train_set], minlength=2).astype(numpy.float64)
    balanced = len(train_set) / (2 * numpy.maximum(counts, 1))  # w_c = n / (C n_c)
    for name, weight in zip(IMBALANCE, (None, balanced.astype(numpy.float32))):
        model = mlp(CLS_FEATURES, 16, 2)
        loss = nn.CrossEntropyLoss(weight=weight)
        data = (x[train_set], y[train_set])
        train(model, loss, "adam", config.imb_lr, data, config.imb_epochs, config)
        predicted = predict(model, x[test])._data.argmax(axis=1)
        truth = y[test]
        result.scalar(name, "minority_recall", metrics.recall(truth, predicted))
        result.scalar(name, "minority_precision", metrics.precision(truth, predicted))
        result.scalar(name, "minority_f1", metrics.f1_score(truth, predicted))
        result.scalar(name, "accuracy", metrics.accuracy(truth, predicted))
        result.scalar(name, "predicted_minority", float((predicted == 1).sum()))
    return {
        "class_weights": balanced.tolist(),
        "minority_train": int(counts[1]),
        "minority_test": int((y[test] == 1).sum()),
        "test_size": len(test),
    }


def report(config: Config, seeds: Seeds) -> list:
    """The bars, the table and the reading: whether the weights raise the minority
    recall, and what that costs in precision and gains in F1."""
    plain, weighted = IMBALANCE
    data = [r.data["imbalance"] for r in seeds.results]
    w = data[0]["class_weights"]
    c = compare(
        seeds,
        IMBALANCE,
        {n: n for n in IMBALANCE},
        METRICS,
        pairs=[(weighted, plain)],
        title="B. Class imbalance: the minority class on the test set",
        column="loss",
        note=f"{config.imb_samples} samples, {100 * config.imbalance:g} % minority "
        f"({data[0]['minority_test']} of {data[0]['test_size']} test samples in the first "
        f"seed), half for testing; MLP 20-16-2, Adam {config.imb_lr:g}, {config.imb_epochs} "
        f"epochs; class weights {w[0]:.2f} / {w[1]:.2f} (first seed).",
        figure_title="B. Weighted and unweighted cross-entropy",
        caption=f"Minority class on the test set, mean over {len(seeds)} seeds with 95 % "
        "intervals.",
    )
    recall, precision = c.estimates["minority_recall"], c.estimates["minority_precision"]
    pair = f"{weighted}-{plain}"
    reading = [find(c.findings, f"minority_recall:{pair}"), wins(seeds, weighted, plain, RECALL)]
    if recall[weighted].mean > recall[plain].mean:
        ratio = float(numpy.mean([d["class_weights"][1] / d["class_weights"][0] for d in data]))
        predicted = c.estimates["predicted_minority"]
        if precision[weighted].mean < precision[plain].mean:
            price = Note("weights:cost_precision", "Finding more of them costs precision.")
        else:
            price = Note("weights:keep_precision", "Finding more of them does not cost precision.")
        reading += [
            Ratio(
                "weight_ratio", "class weight", "the minority class", "the majority class", ratio
            ),
            Note(
                "weights:raise_recall",
                "Missing a minority sample costs that much more, so the network predicts the "
                "minority class more often and finds more of them.",
            ),
            *(
                Measure(
                    f"predicted_minority:{n}",
                    n,
                    "count of test samples predicted minority",
                    predicted[n],
                )
                for n in (weighted, plain)
            ),
            price,
            find(c.findings, f"minority_precision:{pair}"),
            find(c.findings, f"minority_f1:{pair}"),
        ]
    else:
        reading.append(
            Note("weights:no_recall_gain", "Here the weights do not raise the minority recall.")
        )
    return [c.figure, c.table, Reading(reading)]
