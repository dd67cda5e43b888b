// letterbox(inputJson, frame): the engine's CPU letterbox from TypeScript, so model checks (add-time
// validation, conversion parity, the vtest evaluation) feed a model exactly what the engine feeds it.
//   inputJson: JSON text of a manifest's "input" section (layout, colorOrder, mean, scale, resize...)
//   frame:     { width, height, data: Uint8Array } packed RGB, rows of width * 3 bytes
//   returns    { dims: [1, 3, H, W] | [1, H, W, 3], data: Float32Array, transform: {scaleX, scaleY, padX, padY} }
#include <napi.h>

#include <stdexcept>
#include <string>

#include "letterbox.h"
#include "manifest.h"
#include "registry.h"

namespace {

Napi::Value Letterbox(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject())
    throw Napi::TypeError::New(env, "letterbox(inputJson: string, frame: { width, height, data: Uint8Array })");
  Napi::Object frame = info[1].As<Napi::Object>();
  const Napi::Value w = frame.Get("width"), h = frame.Get("height"), d = frame.Get("data");
  if (!w.IsNumber() || !h.IsNumber() || !d.IsTypedArray() || d.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, "letterbox: frame must be { width: number, height: number, data: Uint8Array } (packed RGB)");
  const int width = w.As<Napi::Number>().Int32Value(), height = h.As<Napi::Number>().Int32Value();
  Napi::Uint8Array pixels = d.As<Napi::Uint8Array>();
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
    throw Napi::RangeError::New(env,
                                "letterbox: frame size " + std::to_string(width) + "x" + std::to_string(height) + " is not a picture size");
  const size_t need = static_cast<size_t>(width) * static_cast<size_t>(height) * 3;
  if (pixels.ElementLength() != need)
    throw Napi::RangeError::New(env, "letterbox: a " + std::to_string(width) + "x" + std::to_string(height) + " RGB frame has " +
                                         std::to_string(need) + " bytes but data has " + std::to_string(pixels.ElementLength()));
  try {
    const vigil::TensorFormat format = vigil::parseTensorFormat(info[0].As<Napi::String>(), "model input");
    Napi::Float32Array out = Napi::Float32Array::New(env, vigil::floatsPerImage(format));
    const vigil::Image image = vigil::packedImage(vigil::PixelFormat::Rgb, pixels.Data(), width, height);
    const vigil::LetterboxTransform t = vigil::CpuLetterbox(format).run(image, out.Data());
    Napi::Array dims = Napi::Array::New(env, 4);
    const bool nchw = format.layout == vigil::TensorLayout::Nchw;
    const int shape[4] = {1, nchw ? 3 : format.height, nchw ? format.height : format.width, nchw ? format.width : 3};
    for (uint32_t i = 0; i < 4; ++i) dims.Set(i, shape[i]);
    Napi::Object transform = Napi::Object::New(env);
    transform.Set("scaleX", t.scaleX);
    transform.Set("scaleY", t.scaleY);
    transform.Set("padX", t.padX);
    transform.Set("padY", t.padY);
    Napi::Object result = Napi::Object::New(env);
    result.Set("dims", dims);
    result.Set("data", out);
    result.Set("transform", transform);
    return result;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

vigil::binding::Registrar registerLetterbox([](Napi::Env env, Napi::Object exports) {
  exports.Set("letterbox", Napi::Function::New(env, Letterbox));
});

}  // namespace
