"""pytorch/examples vae/main.py at a tiny size: the same VAE (fc1 -> (fc21, fc22) ->
reparameterize with torch.randn_like and torch.exp(0.5 * logvar) -> fc3 -> fc4 ->
sigmoid), the same loss (F.binary_cross_entropy(..., reduction='sum') + KLD), Adam, and
the train / test loops with loss.item() / len(train_loader.dataset). The data are
blurred random 8x8 "images" made with NumPy (no download); weights, batch order and the
noise come from torch's generator.
"""

import argparse

import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F
from torch.utils.data import TensorDataset

parser = argparse.ArgumentParser(description="VAE Example")
parser.add_argument("--batch-size", type=int, default=32, metavar="N")
parser.add_argument("--epochs", type=int, default=6, metavar="N")
parser.add_argument("--no-accel", action="store_true", help="disables accelerator")
parser.add_argument("--seed", type=int, default=1, metavar="S")
parser.add_argument("--log-interval", type=int, default=10, metavar="N")
args = parser.parse_args()

use_accel = not args.no_accel and torch.accelerator.is_available()

torch.manual_seed(0)

if use_accel:
    device = torch.accelerator.current_accelerator()
else:
    device = torch.device("cpu")

print(f"Using device: {device}")

rng = np.random.default_rng(0)


def make_images(n):
    """Blobs: a few bright Gaussian spots per 8x8 image, in [0, 1]."""
    yy, xx = np.mgrid[0:8, 0:8]
    imgs = np.zeros((n, 1, 8, 8), dtype=np.float32)
    for i in range(n):
        for _ in range(2):
            cy, cx = rng.uniform(1, 6, size=2)
            imgs[i, 0] += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 3.0)
    return np.clip(imgs, 0, 1)


kwargs = {"batch_size": args.batch_size}
train_loader = torch.utils.data.DataLoader(
    TensorDataset(torch.from_numpy(make_images(512)), torch.zeros(512)), shuffle=True, **kwargs
)
test_loader = torch.utils.data.DataLoader(
    TensorDataset(torch.from_numpy(make_images(128)), torch.zeros(128)), shuffle=False, **kwargs
)


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(64, 32)
        self.fc21 = nn.Linear(32, 4)
        self.fc22 = nn.Linear(32, 4)
        self.fc3 = nn.Linear(4, 32)
        self.fc4 = nn.Linear(32, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 64))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


model = VAE().to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-2)


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")

    # see Appendix B from VAE paper:
    # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    return BCE + KLD


def train(epoch):
    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        if batch_idx % args.log_interval == 0 and epoch == args.epochs:
            print(
                "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                    epoch,
                    batch_idx * len(data),
                    len(train_loader.dataset),
                    100.0 * batch_idx / len(train_loader),
                    loss.item() / len(data),
                )
            )
    avg = train_loss / len(train_loader.dataset)
    print("====> Epoch: {} Average loss: {:.4f}".format(epoch, avg))
    return avg


def test(epoch):
    model.eval()
    test_loss = 0
    kld_total = 0
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            kld_total += (-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())).item()
            if i == 0:
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n], recon_batch.view(args.batch_size, 1, 8, 8)[:n]])
    test_loss /= len(test_loader.dataset)
    print("====> Test set loss: {:.4f}".format(test_loss))
    return test_loss, kld_total / len(test_loader.dataset), comparison


# the loss on fixed tensors, against a hand-written binary cross-entropy
p = torch.tensor([[0.2, 0.9], [0.5, 0.7]])
t = torch.tensor([[0.0, 1.0], [0.3, 1.0]])
by_hand = -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).sum()
print("METRIC bce_sum_fixed", F.binary_cross_entropy(p, t, reduction="sum").item())
print(
    "METRIC bce_sum_matches_formula",
    float(torch.allclose(F.binary_cross_entropy(p, t, reduction="sum"), by_hand)),
)

first = None
for epoch in range(1, args.epochs + 1):
    train_loss = train(epoch)
    if first is None:
        first = train_loss
    test_loss, test_kld, comparison = test(epoch)
    with torch.no_grad():
        sample = torch.randn(64, 4).to(device)
        sample = model.decode(sample).cpu()

print("METRIC first_epoch_train_loss", first)
print("METRIC final_train_loss", train_loss)
print("METRIC final_test_loss", test_loss)
print("METRIC test_kld_per_image", test_kld)
print("METRIC comparison_shape", str(tuple(comparison.shape)))
print("METRIC sample_in_unit_interval", float(((sample >= 0) & (sample <= 1)).all().item()))
