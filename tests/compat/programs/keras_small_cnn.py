"""A small CNN on MNIST, channels-last as Keras has it: Conv2D + BatchNormalization +
MaxPooling2D twice, Flatten, Dense; sparse_categorical_crossentropy on integer labels,
SGD with momentum, a few epochs on a 2,000-image subset, evaluate and predict.

The initial weights come from NumPy (the same in any library), fit does not shuffle, and
nothing random happens in training, so the results are deterministic.
"""

import keras
import numpy as np
from keras import layers

keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = np.expand_dims(x_train[:2000], -1).astype("float32") / 255  # (N, 28, 28, 1)
x_test = np.expand_dims(x_test[:1000], -1).astype("float32") / 255
y_train, y_test = y_train[:2000], y_test[:1000]

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ]
)
model.summary()
shape = (None, 28, 28, 1)
for layer in model.layers:
    shape = layer.compute_output_shape(shape)
    print(f"METRIC shape_{layer.name}", "x".join(map(str, shape[1:])))
print("METRIC n_params", model.count_params())
print("METRIC n_trainable_weights", len(model.trainable_weights))
print("METRIC n_weights", len(model.weights))

# kernels from NumPy; biases and BatchNormalization's weights keep their defaults
init = np.random.RandomState(1)
model.set_weights(
    [
        (init.normal(size=w.shape) * np.sqrt(2.0 / np.prod(w.shape[:-1]))).astype("float32")
        if w.ndim >= 2
        else w.astype("float32")
        for w in model.get_weights()
    ]
)

model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
history = model.fit(
    x_train, y_train, epochs=3, batch_size=64, validation_split=0.1, shuffle=False, verbose=0
)
for key, values in history.history.items():
    for epoch, value in enumerate(values):
        print(f"METRIC {key}_epoch{epoch}", value)

bn = model.layers[1]
gamma, beta, moving_mean, moving_var = bn.get_weights()
print("METRIC bn_moving_mean_sum", float(moving_mean.sum()))
print("METRIC bn_moving_var_sum", float(moving_var.sum()))
print("METRIC bn_gamma_sum", float(gamma.sum()))

test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
print("METRIC test_loss", test_loss)
print("METRIC test_accuracy", test_acc)
probs = model.predict(x_test[:100], verbose=0)
print("METRIC predict_row_sums", float(probs.sum()))
print("METRIC predict_argmax_sum", int(probs.argmax(axis=1).sum()))
print("METRIC predict_max_mean", float(probs.max(axis=1).mean()))
