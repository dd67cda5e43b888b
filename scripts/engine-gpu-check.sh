#!/usr/bin/env bash
# Checks the engine on the GPU machine (see ../shared/gpu/README.md). Stage first, on this machine:
#   /work/shared/gpu/ort-cuda-parts.sh .cache/ortparts   (ONNX Runtime core + CUDA EP, in parts p1..p4)
#   /work/shared/gpu/gst-bundle.sh .cache/gst coreelements app typefindfunctions playback isomp4 videoparsersbad \
#     nvcodec videoconvertscale videotestsrc rtsp rtp rtpmanager udp tcp matroska jpeg x264 pbtypes && tar czf .cache/gst.tgz -C .cache gst
#   mkdir -p .cache/dev && cp native/build/{vigil-engine,vigil_tests} /lib/x86_64-linux-gnu/libjpeg.so.62 \
#     /usr/lib/x86_64-linux-gnu/libgstrtspserver-1.0.so.0 .cache/dev/
# then carry .cache/ortparts/pN one run at a time (copy each into /tmp/ort), and finally .cache/gst.tgz + .cache/dev
# with this script. Not run yet: the device copies another checkout than this branch's.
set -u
R=$PWD; G=/tmp/gst; O=/tmp/ort
mkdir -p $G && tar xzf .cache/gst.tgz -C /tmp
[ -d $O/lib ] || python3 $O/assemble.py $O
NV=/opt/torch/.venv/lib/python3.12/site-packages/nvidia
export LD_LIBRARY_PATH=$R/.cache/dev:$G/lib:$O/lib:$NV/cu13/lib:$NV/cudnn/lib:/usr/local/nvidia/lib64
export GST_PLUGIN_SYSTEM_PATH=$G/plugins GST_PLUGIN_SCANNER=$G/bin/gst-plugin-scanner GST_REGISTRY=/tmp/gst-registry.bin PATH=$G/bin:$PATH
export ORT_EP_PATH=$O/lib
E=$R/.cache/dev/vigil-engine
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
echo "== info"; $E info
echo "== gtests (CPU)"; VIGIL_TEST_TMP=/tmp/vt $R/.cache/dev/vigil_tests 2>&1 | tail -3
$E fixtures /tmp/fx > /tmp/fx.json
echo "== run on CUDA"; VIGIL_EP=cuda $E run file:///tmp/fx/squares.mp4 --model /tmp/fx/model/manifest.json --json --frames 60 2>&1 | tail -2
for n in 1 4 8; do echo "== bench $n streams CPU (16 cores)"; $E bench --streams $n --seconds 6 --json 2>&1 | tail -2; done
for n in 1 4 8; do echo "== bench $n streams CUDA"; VIGIL_EP=cuda $E bench --streams $n --seconds 6 --work-layers 8 --json 2>&1 | tail -2; done
