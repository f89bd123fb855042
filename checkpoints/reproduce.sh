#!/usr/bin/env bash
# Rebuild the default checkpoints and every figure of checkpoints/README.md with the project's own CLI.
#
#   bash checkpoints/reproduce.sh [FPID_DIR] [WORK_DIR]
#
# FPID_DIR holds styles.csv + images/ (default ../shared/fixtures/fpid, the 6,923 real product images);
# WORK_DIR receives the prepared data, the runs and the eval JSON (default workspace/model-card).
# About 3 h 50 min on 2 CPU cores: classifier ~33 min, then seven GAN recipes at BUDGET minutes each (default 25),
# one after another so each has the whole machine, then ~10 min of evaluation. Stages whose output exists are skipped, so a rerun resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
FPID=${1:-../shared/fixtures/fpid}
WORK=${2:-workspace/model-card}
BUDGET=${BUDGET:-25}
PY=${PYTHON:-.venv/bin/python}
lookbook() { "$PY" -m lookbook "$@"; }

# 1. Data: 64 px cache of every FPID image, then a category-stratified 80/20 split (seed 0). The test part is only
#    ever used for evaluation.
[ -f "$WORK/fpid64/index.parquet" ] || lookbook data prepare --out "$WORK/fpid64" --fpid "$FPID" --size 64
[ -f "$WORK/fpid64-test/index.parquet" ] ||
  lookbook data split "$WORK/fpid64" --train-out "$WORK/fpid64-train" --test-out "$WORK/fpid64-test" --test-share 0.2 --seed 0

# 2. Classifier (also the judge network of every quality metric): the cnn preset on the train part (its own split
#    of it: 80% train, 10% validation for early stopping and the confidence temperature, 10% its own test).
[ -f "$WORK/runs/classifier/classifier.keras" ] ||
  lookbook train classifier --data "$WORK/fpid64-train" --run "$WORK/runs/classifier" --preset cnn --set test_fraction=0.1

# 3. Generators: the same 32 categories (every garment category with at least 10 training images; `other` and the
#    rarest five are left out) and the same wall-clock budget for every recipe.
CATS=backpack,belt,casual_shoes,clutch,dress,flats,flip_flops,formal_shoes,handbag,hat,heels,jacket,jeans,jewellery
CATS=$CATS,kurta,laptop_bag,sandals,scarf,shirt,shorts,skirt,socks,sports_shoes,sunglasses,sweater,tie,top,track_pants
CATS=$CATS,trousers,tshirt,wallet,watch
train_gan() {  # run name, preset, extra settings...
  local name=$1 preset=$2
  shift 2
  [ -f "$WORK/runs/$name/generator.keras" ] ||
    lookbook train gan --data "$WORK/fpid64-train" --run "$WORK/runs/$name" --preset "$preset" "$@" \
      --set include_categories=$CATS --set max_minutes="$BUDGET" --set epochs=1000 --set checkpoint_every_minutes=5
}
train_gan modern modern                         # the shipped generator (minibatch std in D)
train_gan modern-nostd modern --set minibatch_std=false  # the recipe shipped until session 5
train_gan modern-cbn modern --set minibatch_std=false --set g_conditioning=batchnorm  # per-class batch norm in G instead
train_gan modern-both modern --set g_conditioning=batchnorm  # both
train_gan modern-w64 modern --set minibatch_std=false --set g_base_width=64 --set d_base_width=64  # wider, session 3
train_gan plain plain
train_gan cs230 cs230

# 4. Figures: classifier accuracy and generator quality against the held-out test split (2,000 generated images,
#    seed 0, with the real-vs-real, noise and blur baselines), and a sample grid per category of the shipped generator.
mkdir -p "$WORK/eval"
lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/fpid64-test" > "$WORK/eval/classifier.json"
for name in modern modern-nostd modern-cbn modern-both modern-w64 plain cs230; do
  lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/fpid64-test" --generator "$WORK/runs/$name" \
    --images 2000 --seed 0 > "$WORK/eval/$name.json"
done
mkdir -p "$WORK/eval/samples"
for cat in ${CATS//,/ }; do
  lookbook sample --generator "$WORK/runs/modern" --classifier "$WORK/runs/classifier" --categories "$cat" \
    --per-row 8 --rows 2 --tile-px 64 --title "$cat" --out "$WORK/eval/samples/$cat.png"
done
echo "done: figures in $WORK/eval; copy runs/modern/generator.* and runs/classifier/classifier.* to checkpoints/"
