#!/bin/sh
# Renders an overlay with the images of one build, for `kubectl apply -f -`:
#   k8s/deploy.sh <dev|test|prod> <registry/path> <tag>
#   k8s/deploy.sh prod registry.gitlab.com/acme/ai-marketplace 1a2b3c4d | kubectl apply --server-side -f -
# Each app's image is <registry/path>/<app>:<tag>, as the GitLab build jobs push them.
set -eu
overlay=$1
registry=$2
tag=$3
case $overlay in dev | test | prod) ;; *) echo "no overlay called $overlay (dev, test or prod)" >&2; exit 64 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "$here/.deploy-XXXXXX")
trap 'rm -rf "$work"' EXIT
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  echo "  - ../overlays/$overlay"
  echo "images:"
  for app in engine image-processing face-detection face-analyzer digit-recognition; do
    echo "  - name: aim-$app"
    echo "    newName: $registry/$app"
    echo "    newTag: \"$tag\""
  done
} > "$work/kustomization.yaml"
kubectl kustomize "$work"
