#!/usr/bin/env bash
# Rebuild the default checkpoints and every figure of checkpoints/README.md with the project's own CLI.
#
#   bash checkpoints/reproduce.sh [FIXTURES_DIR] [WORK_DIR]
#
# FIXTURES_DIR holds the three FPID roots fpid/ (6,923 products at 224 px), fpid-small/ (22,760 at 60x80) and
# fpid-medium/ (2,764 at 225-512 px), each styles.csv + images/ (default ../shared/fixtures); WORK_DIR receives the
# prepared data, the runs and the eval JSON (default workspace/model-card). On 2 CPU cores: about 6.8 h for the
# classifier (6.8 h) and the generator (4.3 h, then a 1 h fine-tune) side by side, one core each, then about 15 min of
# evaluation and 155 of recipe comparison. Stages whose output exists are skipped, so a rerun resumes; an interrupted generator run
# continues with --resume.
set -euo pipefail
cd "$(dirname "$0")/.."
FIX=${1:-../shared/fixtures}
WORK=${2:-workspace/model-card}
PY=${PYTHON:-.venv/bin/python}
lookbook() { "$PY" -m lookbook "$@"; }
# one core per training: two single-threaded TensorFlow processes beat two that fight over both cores
export TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1

# 1. Data: a 64 px cache of every product of the three roots (thumbnails are downsampled 80 -> 64 like the rest),
#    then a category-stratified 80/20 split (seed 0). The test part is only ever used for evaluation.
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

# 2. The generator's categories: every outfit category with at least 50 training images (44 of them).
CATS=tshirt,shirt,top,kurta,kurti,sweater,jacket,jeans,trousers,capris,salwar,track_pants,leggings,shorts,skirt,dress
CATS=$CATS,saree,nightwear,casual_shoes,sports_shoes,formal_shoes,heels,flats,sandals,flip_flops,handbag,clutch,backpack
CATS=$CATS,laptop_bag,duffel_bag,wallet,watch,sunglasses,belt,hat,tie,scarf,dupatta,socks,earrings,necklace,ring
CATS=$CATS,bracelet,cufflinks

# 3. Classifier (core 0; also the judge of every quality figure): the cnn preset on both train parts (its own split of
#    them: 90% train, 5% validation for early stopping and the confidence temperature, 5% its own test), and
#    generator (core 1): the modern preset for 6,131 steps, then a fine-tune from it with an AC-GAN head (weight 0.3,
#    1,786 steps; a warm start copies every G and D layer, D's class head starts fresh): the shipped generator.
#    The classifier trains in six stages on the same split: the preset's 6 epochs, then five warm restarts from the
#    previous weights (AdamW 1e-3 cosine-decayed again: 2 epochs, 8 epochs ended by an 84-minute budget 108 steps
#    into the eighth, 8 full epochs in 61 minutes, 15 epochs in 103 minutes, then 12 epochs in 89 minutes with half
#    the shifts, zooms and colour jitter); the sixth is the shipped classifier.
clf_stage() { # run name, time budget in minutes, then the stage's own --set options
  local name=$1 minutes=$2
  shift 2
  [ -f "$WORK/runs/$name/classifier.keras" ] ||
    taskset -c 0 "$PY" -m lookbook train classifier --data "$WORK/clf-train" --run "$WORK/runs/$name" --preset cnn \
      --set test_fraction=0.05 --set val_fraction=0.05 --set max_minutes="$minutes" "$@"
}
warm_restart() { # run name, minutes, the run it starts from, epochs, then extra --set options
  local name=$1 minutes=$2 from=$3 epochs=$4
  shift 4
  clf_stage "$name" "$minutes" --set init_from="$WORK/runs/$from" --set epochs="$epochs" --set learning_rate=0.001 \
    --set warmup_epochs=0.1 "$@"
}
clf() {
  clf_stage classifier-base 75
  warm_restart classifier-ft 22 classifier-base 2
  warm_restart classifier-ft2 84 classifier-ft 8
  warm_restart classifier-ft3 100 classifier-ft2 8
  warm_restart classifier-ft4 128 classifier-ft3 15
  warm_restart classifier 108 classifier-ft4 12 --set patience_epochs=12 --set shift_frac=0.05 --set zoom_frac=0.1 \
    --set colour_jitter=0.1
}
gan() {
  local resume=()
  [ -f "$WORK/runs/modern/config.json" ] && resume=(--resume)
  [ -f "$WORK/runs/modern/generator.keras" ] ||
    taskset -c 1 "$PY" -m lookbook train gan --data "$WORK/fpid64-train" --run "$WORK/runs/modern" --preset modern "${resume[@]}" \
      --set include_categories=$CATS --set max_steps=6131 --set epochs=1000 --set checkpoint_every_minutes=10
  resume=()
  [ -f "$WORK/runs/generator/config.json" ] && resume=(--resume)
  [ -f "$WORK/runs/generator/generator.keras" ] ||
    taskset -c 1 "$PY" -m lookbook train gan --data "$WORK/fpid64-train" --run "$WORK/runs/generator" --preset modern "${resume[@]}" \
      --set include_categories=$CATS --set init_from="$WORK/runs/modern" --set aux_class_weight=0.3 --set max_steps=1786 \
      --set epochs=1000 --set checkpoint_every_minutes=10
}
clf & gan & wait

# 4. Figures: the classifier's accuracy on the held-out split (all three image sizes) and on real consumer photos,
#    generator quality against the held-out split (2,000 generated images, seed 0), a sample grid per category.
mkdir -p "$WORK/eval/samples"
lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/fpid64-test" > "$WORK/eval/classifier.json"
lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/folders64-test" --split all > "$WORK/eval/classifier-consumer.json"
lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/fpid64-test" --generator "$WORK/runs/generator" \
  --images 2000 --seed 0 > "$WORK/eval/generator.json"
for cat in ${CATS//,/ }; do
  lookbook sample --generator "$WORK/runs/generator" --classifier "$WORK/runs/classifier" --categories "$cat" \
    --per-row 8 --rows 2 --tile-px 64 --title "$cat" --out "$WORK/eval/samples/$cat.png"
done
python benchmarks/bench_per_category.py --generator "$WORK/runs/generator" --classifier "$WORK/runs/classifier" \
  --data "$WORK/fpid64-test" --per-category 100 > "$WORK/eval/per_category.md"
"$PY" benchmarks/plot_mistakes.py --report "$WORK/eval/classifier.json" --data "$WORK/fpid64-test" \
  --out "$WORK/eval/classifier-mistakes.png"

# 5. Equal-budget recipe comparison (about 80 minutes on core 1, then 75 on both): 25 training minutes each from
#    scratch, same data and categories, each run's 2,000 garments scored by the shipped classifier.
score() { # run name, figure file: written once, and only whole (a failed eval stops the script and leaves no file)
  [ -f "$2" ] && return
  lookbook eval --classifier "$WORK/runs/classifier" --data "$WORK/fpid64-test" --generator "$WORK/runs/$1" \
    --images 2000 --seed 0 > "$2.tmp"
  mv "$2.tmp" "$2"
}
cmp() { # name preset [--set ...]
  local name=$1 preset=$2
  shift 2
  [ -f "$WORK/runs/$name/generator.keras" ] ||
    taskset -c 1 "$PY" -m lookbook train gan --data "$WORK/fpid64-train" --run "$WORK/runs/$name" --preset "$preset" \
      --set include_categories=$CATS --set max_minutes=25 --set epochs=1000 --set checkpoint_every_minutes=10 "$@"
  score "$name" "$WORK/eval/$name.json"
}
cmp cmp-plain plain
cmp cmp-balanced modern
cmp cmp-natural modern --set class_balance=0
#    Then plain and the shipped recipe resumed exactly to 100 training minutes each, side by side (75 more minutes on
#    both cores), and scored once both have stopped.
to_100() { # name core
  [ -f "$WORK/eval/$1-100.json" ] ||
    taskset -c "$2" "$PY" -m lookbook train gan --data "$WORK/fpid64-train" --run "$WORK/runs/$1" --resume --set max_minutes=100
}
to_100 cmp-plain 0 &
to_100 cmp-balanced 1 &
wait
score cmp-plain "$WORK/eval/cmp-plain-100.json"
score cmp-balanced "$WORK/eval/cmp-balanced-100.json"

# 6. Upscaler (about 45 minutes on one core, 7 of them reading the photos) and its figures.
[ -f "$WORK/runs/upscaler/upscaler.keras" ] ||
  lookbook train upscaler --data "$FIX/fpid" --data "$FIX/fpid-medium" --data "$FIX/fpid-fullsize" --run "$WORK/runs/upscaler" \
    --set epochs=8 --set steps_per_epoch=100 --set eval_images=24 --set max_minutes=36
"$PY" benchmarks/bench_upscaler.py --model "$WORK/runs/upscaler" --images 100 --repeats 3 > "$WORK/eval/upscaler.txt"
echo "done: figures in $WORK/eval; copy runs/generator/generator.*, runs/classifier/classifier.* and runs/upscaler/upscaler.* to checkpoints/"
