"""The course's binary classifier, Keras 3 style: Sequential of Dense layers with He
initialization, compile('adam', 'binary_crossentropy', ['accuracy']), fit with
validation_split, predict, evaluate, summary.

Data: two noisy classes in 20 dimensions from NumPy. The He-normal initial weights are
random (their statistics are reported); the weights the model then trains from are set
from NumPy (the same in any library), and fit does not shuffle, so the training curve is
deterministic.
"""

import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)

rng = np.random.RandomState(0)
n, d = 1000, 20
X = rng.normal(size=(n, d)).astype("float32")
w_true = rng.normal(size=d)
y = (X @ w_true + 0.5 * rng.normal(size=n) > 0).astype("float32")
X_train, X_test, y_train, y_test = X[:800], X[800:], y[:800], y[800:]

model = keras.Sequential(
    [
        keras.Input(shape=(20,)),
        layers.Dense(32, activation="relu", kernel_initializer=keras.initializers.HeNormal()),
        layers.Dense(16, activation="relu", kernel_initializer=keras.initializers.HeNormal()),
        layers.Dense(1, activation="sigmoid"),
    ]
)
model.summary()
print("METRIC n_layers", len(model.layers))
print("METRIC n_params", model.count_params())

# He normal: a normal truncated at 2 of its std, scaled so the result's std is
# sqrt(2 / fan_in) (the untruncated std is that / 0.8796..., the bound twice that)
for i, layer in enumerate(model.layers[:2]):
    kernel, bias = layer.get_weights()
    std = np.sqrt(2.0 / kernel.shape[0])
    print(f"METRIC he_std_ratio_{i}", kernel.std() / std)
    print(f"METRIC he_max_over_bound_{i}", np.abs(kernel).max() / (2 * std / 0.87962566103423978))
    print(f"METRIC bias_abs_sum_{i}", np.abs(bias).sum())

# the same starting point in any library
init = np.random.RandomState(1)
model.set_weights(
    [
        (init.normal(size=w.shape) * np.sqrt(2.0 / w.shape[0])).astype("float32")
        if w.ndim == 2
        else np.zeros(w.shape, "float32")
        for w in model.get_weights()
    ]
)

model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(
    X_train, y_train, epochs=20, batch_size=32, validation_split=0.2, shuffle=False, verbose=0
)
print("METRIC history_keys", ",".join(sorted(history.history)))
print("METRIC epochs_run", len(history.history["loss"]))
for epoch in (0, 1, 4, 9, 19):
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        print(f"METRIC {key}_epoch{epoch}", history.history[key][epoch])

probs = model.predict(X_test, verbose=0)
print("METRIC predict_shape", "x".join(map(str, probs.shape)))
print("METRIC predict_sum", float(probs.sum()))
print("METRIC predict_first", float(probs[0, 0]))
y_pred = (probs[:, 0] > 0.5).astype("float32")
print("METRIC test_accuracy_by_hand", float((y_pred == y_test).mean()))

test_loss, test_acc = model.evaluate(X_test, y_test, verbose=0)
print("METRIC test_loss", test_loss)
print("METRIC test_accuracy", test_acc)
