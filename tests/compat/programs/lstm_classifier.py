"""An LSTM sequence classifier: nn.Embedding -> nn.LSTM(batch_first=True) -> nn.Linear.

Task: does the sequence contain more 1s than 2s? (Token counts are spread over the
whole sequence, so the LSTM has to carry them to the end.) The data come from NumPy with
a fixed seed; weights and batch order from torch's generator.
"""

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

VOCAB, SEQ_LEN, N_TRAIN, N_TEST = 8, 12, 1024, 512
rng = np.random.default_rng(0)


def make_data(n):
    seqs = rng.integers(0, VOCAB, size=(n, SEQ_LEN))
    labels = ((seqs == 1).sum(axis=1) > (seqs == 2).sum(axis=1)).astype(np.int64)
    return torch.from_numpy(seqs), torch.from_numpy(labels)


x_train, y_train = make_data(N_TRAIN)
x_test, y_test = make_data(N_TEST)
train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)


class LSTMClassifier(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim, num_classes):
        super(LSTMClassifier, self).__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, num_layers=1, batch_first=True)
        self.fc = nn.Linear(hidden_dim, num_classes)

    def forward(self, x):
        embedded = self.embedding(x)  # (batch, seq, embedding_dim)
        output, (hidden, cell) = self.lstm(embedded)
        return self.fc(hidden[-1])  # last layer's final hidden state


model = LSTMClassifier(VOCAB, 16, 32, 2)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)

num_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print("METRIC num_params", num_params)
print("METRIC lstm_param_names", ",".join(name for name, _ in model.lstm.named_parameters()))

with torch.no_grad():
    out, (h, c) = model.lstm(model.embedding(x_train[:3]))
print("METRIC output_shape", str(tuple(out.shape)))
print("METRIC hidden_shape", str(tuple(h.shape)))
print("METRIC last_output_is_hidden", float(torch.allclose(out[:, -1, :], h[0])))

for epoch in range(12):
    model.train()
    total_loss = 0.0
    for inputs, labels in train_loader:
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        total_loss += loss.item() * inputs.size(0)
    epoch_loss = total_loss / len(train_loader.dataset)
    if epoch % 3 == 2:
        print(f"Epoch {epoch + 1}, Loss: {epoch_loss:.4f}")

model.eval()
with torch.no_grad():
    predicted = model(x_test).argmax(dim=1)
    accuracy = (predicted == y_test).float().mean().item() * 100
print(f"Test accuracy: {accuracy:.2f}%")
print("METRIC final_train_loss", repr(epoch_loss))
print("METRIC test_accuracy", repr(accuracy))
print(
    "METRIC majority_baseline",
    repr(max(y_test.float().mean().item(), 1 - y_test.float().mean().item()) * 100),
)
