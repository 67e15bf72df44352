// emu_jni.cpp: the JNI entry points of libfeatviz-emu.so behind org.featviz.device.emu.EmuNative.
//
// Device memory is host memory (256-byte aligned like cudaMalloc's), addresses travel as jlong.
// Kernels are launched by name from a table: this library's own kernels (cuda/*.cu) plus those of
// kernel libraries loaded later with loadKernelLibrary (test-only kernels). Every launch checks the
// argument tags against the kernel's parameters before touching the arguments, so a wrong call is a
// Java exception naming the kernel, never a crash.
#include <dlfcn.h>
#include <jni.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "emu_abi.h"

extern "C" const featviz_emu_kernel* featviz_emu_kernels(int abi_version, int* count);

namespace {

std::mutex table_mutex;
std::map<std::string, const featviz_emu_kernel*>* kernels_by_name = nullptr;

std::map<std::string, const featviz_emu_kernel*>& kernels() {
  if (kernels_by_name == nullptr) {
    kernels_by_name = new std::map<std::string, const featviz_emu_kernel*>();
    int count = 0;
    const featviz_emu_kernel* own = featviz_emu_kernels(FEATVIZ_EMU_ABI_VERSION, &count);
    for (int i = 0; i < count; i++) (*kernels_by_name)[own[i].name] = &own[i];
  }
  return *kernels_by_name;
}

void throw_java(JNIEnv* env, const char* class_name, const std::string& message) {
  jclass cls = env->FindClass(class_name);
  if (cls != nullptr) env->ThrowNew(cls, message.c_str());
}

const char* kIllegalArgument = "java/lang/IllegalArgumentException";
const char* kDeviceException = "org/featviz/device/DeviceException";

std::string describe_tags(const char* tags) {
  std::string out = "(";
  for (const char* t = tags; *t; t++) {
    if (t != tags) out += ", ";
    switch (*t) {
      case 'p': out += "ptr"; break;
      case 'i': out += "i32"; break;
      case 'f': out += "f32"; break;
      case 'l': out += "i64"; break;
      default: out += "?";
    }
  }
  return out + ")";
}

std::string java_string(JNIEnv* env, jstring s) {
  const char* chars = env->GetStringUTFChars(s, nullptr);
  std::string out(chars);
  env->ReleaseStringUTFChars(s, chars);
  return out;
}

jobjectArray java_strings(JNIEnv* env, const std::vector<std::string>& values) {
  jclass string_class = env->FindClass("java/lang/String");
  jobjectArray out = env->NewObjectArray(static_cast<jsize>(values.size()), string_class, nullptr);
  for (size_t i = 0; i < values.size(); i++) {
    env->SetObjectArrayElement(out, static_cast<jsize>(i), env->NewStringUTF(values[i].c_str()));
  }
  return out;
}

void* at(jlong address) { return reinterpret_cast<void*>(static_cast<intptr_t>(address)); }

}  // namespace

extern "C" {

JNIEXPORT jlong JNICALL Java_org_featviz_device_emu_EmuNative_alloc(JNIEnv*, jclass, jlong bytes) {
  void* p = nullptr;
  if (posix_memalign(&p, 256, bytes > 0 ? static_cast<size_t>(bytes) : 1) != 0) return 0;
  return static_cast<jlong>(reinterpret_cast<intptr_t>(p));
}

JNIEXPORT void JNICALL Java_org_featviz_device_emu_EmuNative_free(JNIEnv*, jclass, jlong address) { free(at(address)); }

// Host-to-device and back: JNI's region copies check the Java array bounds themselves.
JNIEXPORT void JNICALL Java_org_featviz_device_emu_EmuNative_copyFloatsToDevice(JNIEnv* env, jclass, jfloatArray src,
                                                                                jint src_pos, jlong dst, jint count) {
  env->GetFloatArrayRegion(src, src_pos, count, static_cast<jfloat*>(at(dst)));
}

JNIEXPORT void JNICALL Java_org_featviz_device_emu_EmuNative_copyIntsToDevice(JNIEnv* env, jclass, jintArray src,
                                                                              jint src_pos, jlong dst, jint count) {
  env->GetIntArrayRegion(src, src_pos, count, static_cast<jint*>(at(dst)));
}

JNIEXPORT void JNICALL Java_org_featviz_device_emu_EmuNative_copyFloatsToHost(JNIEnv* env, jclass, jlong src,
                                                                              jfloatArray dst, jint dst_pos, jint count) {
  env->SetFloatArrayRegion(dst, dst_pos, count, static_cast<const jfloat*>(at(src)));
}

JNIEXPORT void JNICALL Java_org_featviz_device_emu_EmuNative_copyIntsToHost(JNIEnv* env, jclass, jlong src,
                                                                            jintArray dst, jint dst_pos, jint count) {
  env->SetIntArrayRegion(dst, dst_pos, count, static_cast<const jint*>(at(src)));
}

JNIEXPORT void JNICALL Java_org_featviz_device_emu_EmuNative_memsetZero(JNIEnv*, jclass, jlong address, jlong bytes) {
  memset(at(address), 0, static_cast<size_t>(bytes));
}

JNIEXPORT void JNICALL Java_org_featviz_device_emu_EmuNative_copy(JNIEnv*, jclass, jlong src, jlong dst, jlong bytes) {
  memmove(at(dst), at(src), static_cast<size_t>(bytes));
}

JNIEXPORT jobjectArray JNICALL Java_org_featviz_device_emu_EmuNative_kernelNames(JNIEnv* env, jclass) {
  std::lock_guard<std::mutex> lock(table_mutex);
  std::vector<std::string> names;
  for (const auto& entry : kernels()) names.push_back(entry.first);
  return java_strings(env, names);
}

// The parameter tags of a kernel (p ptr, i i32, f f32, l i64), or null when there is no such kernel.
JNIEXPORT jstring JNICALL Java_org_featviz_device_emu_EmuNative_paramTags(JNIEnv* env, jclass, jstring kernel) {
  std::lock_guard<std::mutex> lock(table_mutex);
  auto found = kernels().find(java_string(env, kernel));
  return found == kernels().end() ? nullptr : env->NewStringUTF(found->second->param_tags);
}

// Adds the kernels of another kernel library; returns their names. Loading the same library again
// adds nothing; a kernel name that is already taken by another library is an error.
JNIEXPORT jobjectArray JNICALL Java_org_featviz_device_emu_EmuNative_loadKernelLibrary(JNIEnv* env, jclass,
                                                                                     jstring path) {
  std::string file = java_string(env, path);
  void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    throw_java(env, kDeviceException, "cannot load kernel library " + file + ": " + dlerror());
    return nullptr;
  }
  auto list = reinterpret_cast<featviz_emu_kernels_fn>(dlsym(handle, FEATVIZ_EMU_KERNELS_SYMBOL));
  int count = 0;
  const featviz_emu_kernel* table = list == nullptr ? nullptr : list(FEATVIZ_EMU_ABI_VERSION, &count);
  if (table == nullptr) {
    throw_java(env, kDeviceException, file + " is not a kernel library of this emulator version (rebuild it)");
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(table_mutex);
  std::vector<std::string> names;
  for (int i = 0; i < count; i++) {
    auto found = kernels().find(table[i].name);
    if (found != kernels().end() && found->second != &table[i]) {
      throw_java(env, kDeviceException, std::string("kernel library ") + file + " defines kernel '" + table[i].name +
                                            "' that is already loaded from another library");
      return nullptr;
    }
  }
  for (int i = 0; i < count; i++) {
    kernels()[table[i].name] = &table[i];
    names.push_back(table[i].name);
  }
  return java_strings(env, names);
}

// dims: grid x, y, z, block x, y, z. tags: one per argument (p, i, f, l). values: each argument's
// bits (a pointer's address, an int or a float's raw bits in the low 32 bits, a long).
JNIEXPORT void JNICALL Java_org_featviz_device_emu_EmuNative_launch(JNIEnv* env, jclass, jstring kernel,
                                                                   jintArray dims, jlong shared_bytes, jstring tags,
                                                                   jlongArray values) {
  std::string name = java_string(env, kernel);
  const featviz_emu_kernel* entry = nullptr;
  {
    std::lock_guard<std::mutex> lock(table_mutex);
    auto found = kernels().find(name);
    if (found == kernels().end()) {
      std::string known;
      for (const auto& k : kernels()) known += (known.empty() ? "" : ", ") + k.first;
      throw_java(env, kIllegalArgument, "unknown kernel '" + name + "'; known kernels: " + known);
      return;
    }
    entry = found->second;
  }
  std::string given = java_string(env, tags);
  jsize count = env->GetArrayLength(values);
  if (given != entry->param_tags || static_cast<size_t>(count) != given.size() || env->GetArrayLength(dims) != 6) {
    throw_java(env, kIllegalArgument,
               "kernel '" + name + "' takes " + std::to_string(strlen(entry->param_tags)) + " arguments " +
                   describe_tags(entry->param_tags) + " but was given " + std::to_string(given.size()) + " " +
                   describe_tags(given.c_str()));
    return;
  }
  std::vector<jlong> slots(count);
  std::vector<void*> args(count);
  env->GetLongArrayRegion(values, 0, count, slots.data());
  for (jsize i = 0; i < count; i++) args[i] = &slots[i];  // little-endian: an int reads the low bytes
  jint d[6];
  env->GetIntArrayRegion(dims, 0, 6, d);
  char error[1024] = {0};
  featviz_emu_launch launch{};
  for (int i = 0; i < 3; i++) {
    launch.grid[i] = static_cast<unsigned>(d[i]);
    launch.block[i] = static_cast<unsigned>(d[3 + i]);
  }
  launch.shared_bytes = static_cast<size_t>(shared_bytes);
  launch.args = args.data();
  launch.error = error;
  launch.error_size = sizeof error;
  if (entry->run(&launch) != 0) throw_java(env, kDeviceException, "kernel '" + name + "': " + error);
}

}  // extern "C"
