#pragma once
// Sub-commands of vigil-engine that live in their own files (main.cpp dispatches).

// `vigil-engine export JOB.json`: recorded segments into one MP4 (stream copy, or re-encoded with the
// stored boxes burnt in); progress and the result as JSON lines on stdout. Exit 0 done, 1 failed, 2 bad job.
int exportCommand(int argc, char** argv);
