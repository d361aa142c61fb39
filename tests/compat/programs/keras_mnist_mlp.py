"""The MNIST MLP of the Keras examples on a 6,000-image subset: load_data, scaling,
to_categorical, Dense + Dropout, categorical_crossentropy, and the usual callbacks:
ModelCheckpoint (best weights only), EarlyStopping (restoring the best weights),
ReduceLROnPlateau and CSVLogger.

The initial weights come from NumPy (the same in any library) and fit does not shuffle;
the Dropout masks come from the library's generator, so the training curve agrees
between libraries only within seed noise. What the callbacks did is checked against the
history of the same run (exact).
"""

import csv

import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
print("METRIC train_shape", "x".join(map(str, x_train.shape)))
print("METRIC test_shape", "x".join(map(str, x_test.shape)))
print("METRIC train_dtype", str(x_train.dtype))
print("METRIC first_label", int(y_train[0]))
print("METRIC pixel_sum_first", int(x_train[0].sum()))

x_train = x_train[:6000].reshape(-1, 784).astype("float32") / 255
x_test = x_test[:2000].reshape(-1, 784).astype("float32") / 255
y_train = keras.utils.to_categorical(y_train[:6000], 10)
y_test = keras.utils.to_categorical(y_test[:2000], 10)
print("METRIC onehot_shape", "x".join(map(str, y_train.shape)))
print("METRIC onehot_sum", float(y_train.sum()))


def build_model():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(64, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(10, activation="softmax"),
        ]
    )


model = build_model()
init = np.random.RandomState(1)
model.set_weights(
    [
        (init.normal(size=w.shape) * np.sqrt(2.0 / w.shape[0])).astype("float32")
        if w.ndim == 2
        else np.zeros(w.shape, "float32")
        for w in model.get_weights()
    ]
)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=0.003),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
callbacks = [
    keras.callbacks.ModelCheckpoint(
        "best.weights.h5", monitor="val_accuracy", save_best_only=True, save_weights_only=True
    ),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_lr=1e-4),
    keras.callbacks.CSVLogger("training.csv"),
]
history = model.fit(
    x_train,
    y_train,
    epochs=12,
    batch_size=128,
    validation_split=0.1,
    shuffle=False,
    callbacks=callbacks,
    verbose=0,
)
h = history.history
epochs_run = len(h["loss"])
print("METRIC history_keys", ",".join(sorted(h)))
print("METRIC epochs_run", epochs_run)
for epoch in range(3):
    print(f"METRIC loss_epoch{epoch}", h["loss"][epoch])
    print(f"METRIC val_accuracy_epoch{epoch}", h["val_accuracy"][epoch])
print("METRIC best_val_loss", min(h["val_loss"]))
print("METRIC best_val_accuracy", max(h["val_accuracy"]))

# ReduceLROnPlateau: the logged rate halves after each epoch without a new best val_loss,
# a new best being lower than the best so far by more than min_delta (Keras's 1e-4)
lrs, lr, best, wait = [], 0.003, np.inf, 0
for val_loss in h["val_loss"]:
    lrs.append(lr)
    if val_loss < best - 1e-4:
        best, wait = val_loss, 0
    else:
        wait += 1
        if wait >= 1:
            lr, wait = max(lr * 0.5, 1e-4), 0
print("METRIC lr_schedule_as_documented", int(np.allclose(h["learning_rate"], lrs, rtol=1e-6)))
print("METRIC lr_reductions", sum(1 for a, b in zip(lrs, lrs[1:]) if b < a))

# EarlyStopping: stopped 3 epochs after the best val_loss, or ran all 12
best_epoch = int(np.argmin(h["val_loss"]))
print("METRIC early_stopping_as_documented", int(epochs_run in (best_epoch + 4, 12)))
# restore_best_weights: the model now has the best val_loss epoch's weights
n_val = 600
val_loss_now = model.evaluate(x_train[-n_val:], y_train[-n_val:], verbose=0)[0]
print("METRIC restored_is_best", int(abs(val_loss_now - min(h["val_loss"])) < 1e-4))

# CSVLogger: one row per epoch with the history's values
with open("training.csv", newline="") as f:
    rows = list(csv.DictReader(f))
print("METRIC csv_columns", ",".join(rows[0]))
print("METRIC csv_rows_match_history", int(len(rows) == epochs_run))
print(
    "METRIC csv_matches_history",
    int(all(abs(float(r["val_loss"]) - v) < 1e-5 for r, v in zip(rows, h["val_loss"]))),
)

# ModelCheckpoint: the saved weights are the best val_accuracy epoch's
checkpoint = build_model()
checkpoint.compile(loss="categorical_crossentropy", metrics=["accuracy"])
checkpoint.load_weights("best.weights.h5")
val_acc = checkpoint.evaluate(x_train[-n_val:], y_train[-n_val:], verbose=0)[1]
print("METRIC checkpoint_is_best", int(abs(val_acc - max(h["val_accuracy"])) < 1e-6))

test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
print("METRIC test_loss", test_loss)
print("METRIC test_accuracy", test_acc)
