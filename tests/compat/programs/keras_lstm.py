"""Recurrent layers on sequences: Embedding -> LSTM(return_sequences=True) -> GRU -> Dense
on a counting task (are there more 1s than 2s in the sequence?), and a SimpleRNN
regressor on a running-sum task; Adam, binary_crossentropy and mse.

The initial weights come from NumPy (the same in any library), fit does not shuffle, and
nothing random happens in training, so the results are deterministic.
"""

import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)

VOCAB, SEQ_LEN = 6, 10
rng = np.random.RandomState(0)
tokens = rng.randint(0, VOCAB, size=(1200, SEQ_LEN))
labels = ((tokens == 1).sum(axis=1) > (tokens == 2).sum(axis=1)).astype("float32")
x_train, y_train, x_test, y_test = tokens[:1000], labels[:1000], tokens[1000:], labels[1000:]
print("METRIC positive_fraction", float(labels.mean()))


def numpy_weights(model, seed):
    """Weights from NumPy, scaled by 1 / sqrt(rows); biases zero."""
    init = np.random.RandomState(seed)
    model.set_weights(
        [
            (init.normal(size=w.shape) / np.sqrt(w.shape[0])).astype("float32")
            if w.ndim == 2 and w.shape[0] > 2  # GRU's bias is (2, 3 * units): a bias
            else np.zeros(w.shape, "float32")
            for w in model.get_weights()
        ]
    )


counter = keras.Sequential(
    [
        keras.Input(shape=(SEQ_LEN,), dtype="int32"),
        layers.Embedding(VOCAB, 8),
        layers.LSTM(16, return_sequences=True),
        layers.GRU(8),
        layers.Dense(1, activation="sigmoid"),
    ]
)
counter.summary()
print("METRIC counter_params", counter.count_params())
print(
    "METRIC counter_weight_shapes",
    ";".join("x".join(map(str, w.shape)) for w in counter.get_weights()),
)
numpy_weights(counter, 1)

# the LSTM's whole output sequence, through a model sharing the first two layers
sequences = keras.Sequential(counter.layers[:2]).predict(x_test[:4], verbose=0)
print("METRIC lstm_sequences_shape", "x".join(map(str, sequences.shape)))
print("METRIC lstm_sequences_sum_before", float(sequences.sum()))

counter.compile(
    optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
)
history = counter.fit(x_train, y_train, epochs=6, batch_size=50, shuffle=False, verbose=0)
for epoch, (loss, acc) in enumerate(zip(history.history["loss"], history.history["accuracy"])):
    print(f"METRIC counter_loss_epoch{epoch}", loss)
    print(f"METRIC counter_accuracy_epoch{epoch}", acc)
test_loss, test_acc = counter.evaluate(x_test, y_test, verbose=0)
print("METRIC counter_test_loss", test_loss)
print("METRIC counter_test_accuracy", test_acc)
print("METRIC counter_predict_sum", float(counter.predict(x_test, verbose=0).sum()))

# running sum of a sequence of numbers: a SimpleRNN (tanh) reading (N, T, 1) floats
series = rng.uniform(-1, 1, size=(600, 8, 1)).astype("float32")
target = series.sum(axis=1) / 4
summer = keras.Sequential([keras.Input(shape=(8, 1)), layers.SimpleRNN(12), layers.Dense(1)])
numpy_weights(summer, 2)
summer.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
history = summer.fit(
    series[:500],
    target[:500],
    epochs=5,
    batch_size=25,
    validation_data=(series[500:], target[500:]),
    shuffle=False,
    verbose=0,
)
for key, values in history.history.items():
    print(f"METRIC summer_{key}_first", values[0])
    print(f"METRIC summer_{key}_last", values[-1])
print("METRIC summer_prediction_first", float(summer.predict(series[:1], verbose=0)[0, 0]))
