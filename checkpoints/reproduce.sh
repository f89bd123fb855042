#!/usr/bin/env bash
# Rebuild the default checkpoints and every figure of checkpoints/README.md with the project's own CLI.
#
#   bash checkpoints/reproduce.sh [FIXTURES_DIR] [WORK_DIR]
#
# FIXTURES_DIR holds the three FPID roots fpid/ (6,923 products at 224 px), fpid-small/ (22,760 at 60x80) and
# fpid-medium/ (2,764 at 225-512 px), each styles.csv + images/ (default ../shared/fixtures), and the consumer photos
# clothing-folders/; WORK_DIR receives the prepared data, the runs and the eval JSON (default workspace/model-card).
# On 2 CPU cores with AVX-512 (bfloat16), one core each: about 7 h for the classifier's four runs, and
# 1 h 40 min for the generator and 20 min of recipe comparison beside them, then about 20 min of evaluation and 45 for
# the upscaler. Stages whose output exists are skipped, so a rerun resumes; an interrupted generator run continues
# with --resume.
set -euo pipefail
cd "$(dirname "$0")/.."
FIX=${1:-../shared/fixtures}
WORK=${2:-workspace/model-card}
PY=${PYTHON:-.venv/bin/python}
lookbook() { "$PY" -m lookbook "$@"; }
# one core per training: two single-threaded TensorFlow processes beat two that fight over both cores
export TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1

# 1. Data: a 64 px cache of every product of the three roots (thumbnails are downsampled 80 -> 64 like the rest),
#    then a category-stratified 80/20 split (seed 0; a product's part depends only on its id, the seed and its
#    category's size). The test part is only ever used for evaluation.
[ -f "$WORK/fpid64/index.parquet" ] ||
  lookbook data prepare --out "$WORK/fpid64" --fpid "$FIX/fpid" --fpid "$FIX/fpid-small" --fpid "$FIX/fpid-medium" --size 64
[ -f "$WORK/fpid64-test/index.parquet" ] ||
  lookbook data split "$WORK/fpid64" --train-out "$WORK/fpid64-train" --test-out "$WORK/fpid64-test" --test-share 0.2 --seed 0
#    The classifier also learns from real consumer photos (people wearing clothes): 80% of the clothing-folders photos,
#    the other 20% held out the same way.
[ -f "$WORK/folders64/index.parquet" ] ||
  lookbook data prepare --out "$WORK/folders64" --folder "$FIX/clothing-folders/train" --size 64
[ -f "$WORK/folders64-test/index.parquet" ] ||
  lookbook data split "$WORK/folders64" --train-out "$WORK/folders64-train" --test-out "$WORK/folders64-test" --test-share 0.2 --seed 0
[ -f "$WORK/clf-train/index.parquet" ] || lookbook data merge "$WORK/fpid64-train" "$WORK/folders64-train" --out "$WORK/clf-train"
#    Generator snapshots are chosen on a part of the training data, never on the test part.
[ -f "$WORK/fpid64-select/index.parquet" ] ||
  lookbook data split "$WORK/fpid64-train" --train-out "$WORK/fpid64-select-rest" --test-out "$WORK/fpid64-select" \
    --test-share 0.2 --seed 1

# 2. The generator's categories: every outfit category with at least 50 training images (44 of them).
CATS=tshirt,shirt,top,kurta,kurti,sweater,jacket,jeans,trousers,capris,salwar,track_pants,leggings,shorts,skirt,dress
CATS=$CATS,saree,nightwear,casual_shoes,sports_shoes,formal_shoes,heels,flats,sandals,flip_flops,handbag,clutch,backpack
CATS=$CATS,laptop_bag,duffel_bag,wallet,watch,sunglasses,belt,hat,tie,scarf,dupatta,socks,earrings,necklace,ring
CATS=$CATS,bracelet,cufflinks

finished() { [ -f "$WORK/runs/$1/status.json" ] && grep -q '"state": "finished"' "$WORK/runs/$1/status.json"; }
gan_run() { # core, run name, preset, then --set options; resumes a run that was stopped
  local core=$1 name=$2 preset=$3
  shift 3
  local resume=()
  [ -f "$WORK/runs/$name/config.json" ] && resume=(--resume)
  finished "$name" ||
    taskset -c "$core" "$PY" -m lookbook train gan --data "$WORK/fpid64-train" --run "$WORK/runs/$name" --preset "$preset" \
      "${resume[@]}" --set include_categories=$CATS --set epochs=1000 --set checkpoint_every_minutes=10 "$@"
}

# 3. Classifier (core 0; also the judge of every quality figure): the average of three networks trained on both train
#    parts with one split of them (split_seed 0: 90% train, 5% validation for early stopping, the prior correction,
#    the confidence temperature and the choice of members, 5% their own test). Each is the cnn preset with a stride-1
#    stem and lighter augmentation. Run a (32-64-128-256 channels, 36 epochs from scratch) is only the start of member
#    d. b: as a with weights seeded 1; c: 48-96-192-384 channels, 20 epochs; d: 22 epochs more from a with 1/count
#    class weights (AdamW 5e-4, cosine). b and c ran in a 110-minute budget on a core shared with another training,
#    which ended them in epochs 32 of 36 and 20 of 20.
clf_member() { # run name, then --set options
  local name=$1
  shift
  [ -f "$WORK/runs/$name/classifier.keras" ] ||
    taskset -c 0 "$PY" -m lookbook train classifier --data "$WORK/clf-train" --run "$WORK/runs/$name" --preset cnn \
      --set test_fraction=0.05 --set val_fraction=0.05 --set split_seed=0 --set stem_stride=1 --set shift_frac=0.05 \
      --set zoom_frac=0.1 --set colour_jitter=0.1 "$@"
}
clf() {
  clf_member classifier-a --set epochs=36 --set patience_epochs=36 --set max_minutes=125
  clf_member classifier-b --set seed=1 --set epochs=36 --set patience_epochs=36 --set max_minutes=110
  clf_member classifier-c --set conv_widths=48,96,192,384 --set epochs=20 --set patience_epochs=20 --set max_minutes=110
  clf_member classifier-d --set init_from="$WORK/runs/classifier-a" --set class_weighting=balanced \
    --set learning_rate=0.0005 --set epochs=22 --set patience_epochs=22 --set max_minutes=80
  [ -f "$WORK/runs/classifier/classifier.keras" ] ||
    lookbook train ensemble --members "$WORK/runs/classifier-b" "$WORK/runs/classifier-c" "$WORK/runs/classifier-d" \
      --data "$WORK/clf-train" --run "$WORK/runs/classifier"
}
#    Generator (core 1): the modern preset for 9,000 steps, stopped once at 20 training minutes to keep a copy for
#    the recipe comparison (a stopped run resumes exactly), then a fine-tune from it with per-class batch norm, an
#    AC-GAN head, equal category shares and two time scales (D learning 4x as fast as G) for 9,000 steps (a warm start
#    copies every G and D layer; new layers start fresh): the shipped generator.
gan() {
  if [ ! -d "$WORK/runs/cmp-modern-20" ]; then
    gan_run 1 modern modern --set max_steps=9000 --set max_minutes=20
    cp -a "$WORK/runs/modern" "$WORK/runs/cmp-modern-20"
  fi
  [ -f "$WORK/runs/generator/config.json" ] ||
    taskset -c 1 "$PY" -m lookbook train gan --data "$WORK/fpid64-train" --run "$WORK/runs/modern" --resume --set max_minutes=0
  gan_run 1 generator modern --set init_from="$WORK/runs/modern" --set g_conditioning=batchnorm --set aux_class_weight=0.3 \
    --set class_balance=1.0 --set g_lr=0.0001 --set d_lr=0.0004 --set max_steps=9000
  # 4. Equal-budget recipe comparison on the same core: a plain DCGAN for the 20 training minutes the modern copy had
  gan_run 1 cmp-plain-20 plain --set max_minutes=20
}
clf & gan & wait

# 5. Figures: the classifier's accuracy on the held-out split (all three image sizes) and on real consumer photos,
#    generator quality against the held-out split (2,000 generated images, seed 0), a sample grid per category.
score() { # generator run, figure file: written once, and only whole (a failed eval stops the script and leaves no file)
  [ -f "$2" ] && return
  lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/fpid64-test" --generator "$WORK/runs/$1" \
    --images 2000 --seed 0 > "$2.tmp"
  mv "$2.tmp" "$2"
}
mkdir -p "$WORK/eval/samples"
lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/fpid64-test" > "$WORK/eval/classifier.json"
lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/folders64-test" --split all > "$WORK/eval/classifier-consumer.json"
"$PY" benchmarks/bench_consumer_photos.py --classifier "$WORK/runs/classifier" --data "$WORK/folders64-test" \
  > "$WORK/eval/consumer.txt"
for run in generator cmp-modern-20 cmp-plain-20; do score "$run" "$WORK/eval/$run.json"; done
for cat in ${CATS//,/ }; do
  lookbook sample --generator "$WORK/runs/generator" --classifier "$WORK/runs/classifier" --categories "$cat" \
    --per-row 8 --rows 2 --tile-px 64 --title "$cat" --out "$WORK/eval/samples/$cat.png"
done
"$PY" benchmarks/bench_per_category.py --generator "$WORK/runs/generator" --classifier "$WORK/runs/classifier" \
  --data "$WORK/fpid64-test" --per-category 100 > "$WORK/eval/per_category.md"
"$PY" benchmarks/plot_mistakes.py --report "$WORK/eval/classifier.json" --data "$WORK/fpid64-test" \
  --out "$WORK/eval/classifier-mistakes.png"

# 6. Upscaler (about 45 minutes on one core, 7 of them reading the photos) and its figures.
[ -f "$WORK/runs/upscaler/upscaler.keras" ] ||
  lookbook train upscaler --data "$FIX/fpid" --data "$FIX/fpid-medium" --data "$FIX/fpid-fullsize" --run "$WORK/runs/upscaler" \
    --set epochs=8 --set steps_per_epoch=100 --set eval_images=24 --set max_minutes=36
"$PY" benchmarks/bench_upscaler.py --model "$WORK/runs/upscaler" --images 100 --repeats 3 > "$WORK/eval/upscaler.txt"
echo "done: figures in $WORK/eval; copy runs/generator/generator.*, runs/classifier/classifier.* and runs/upscaler/upscaler.* to checkpoints/"
