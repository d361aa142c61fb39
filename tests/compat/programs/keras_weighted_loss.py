"""A weighted loss, the course's way: a logits output, BinaryCrossentropy(from_logits=True),
fit with sample_weight=..., then with class_weight=... on imbalanced data (10% positives).

Weights are set from NumPy and fit does not shuffle, so every run is deterministic.
"""

import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)

rng = np.random.RandomState(0)
n, d = 960, 8
X = rng.normal(size=(n, d)).astype("float32")
score = X @ rng.normal(size=d) + 0.7 * rng.normal(size=n)
y = (score > np.quantile(score, 0.9)).astype("float32")  # 10% positives
X_test = rng.normal(size=(400, d)).astype("float32")
print("METRIC positive_fraction", float(y.mean()))


def build():
    model = keras.Sequential(
        [keras.Input(shape=(d,)), layers.Dense(16, activation="tanh"), layers.Dense(1)]
    )
    init = np.random.RandomState(1)
    model.set_weights(
        [
            (init.normal(size=w.shape) / np.sqrt(w.shape[0])).astype("float32")
            if w.ndim == 2
            else np.zeros(w.shape, "float32")
            for w in model.get_weights()
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(threshold=0.0)],  # on logits: 0 is p = 0.5
    )
    return model


def report(tag, model, history):
    for key, values in history.history.items():
        print(f"METRIC {tag}_{key}_first", values[0])
        print(f"METRIC {tag}_{key}_last", values[-1])
    logits = model.predict(X_test, verbose=0)[:, 0]
    print(f"METRIC {tag}_predicted_positive_fraction", float((logits > 0).mean()))
    print(f"METRIC {tag}_logit_mean", float(logits.mean()))


plain = build()
report("plain", plain, plain.fit(X, y, epochs=8, batch_size=64, shuffle=False, verbose=0))

# every positive counts 9 times: the weighted loss is sum(w * l) / batch size
sample_weight = np.where(y == 1, 9.0, 1.0).astype("float32")
weighted = build()
history = weighted.fit(
    X, y, sample_weight=sample_weight, epochs=8, batch_size=64, shuffle=False, verbose=0
)
report("sample_weight", weighted, history)

balanced = build()
history = balanced.fit(
    X, y, class_weight={0: 1.0, 1: 9.0}, epochs=8, batch_size=64, shuffle=False, verbose=0
)
report("class_weight", balanced, history)

# the loss object itself, with and without weights (sum_over_batch_size)
bce = keras.losses.BinaryCrossentropy(from_logits=True)
some = np.r_[np.flatnonzero(y == 1)[:5], np.flatnonzero(y == 0)[:5]]
logits = balanced.predict(X[some], verbose=0)
print("METRIC bce_unweighted", float(bce(y[some], logits)))
print("METRIC bce_weighted", float(bce(y[some], logits, sample_weight=sample_weight[some])))
print(
    "METRIC evaluate_weighted", balanced.evaluate(X, y, sample_weight=sample_weight, verbose=0)[0]
)
