// Glue helpers shared by the src/glue-*.cpp files.
#ifndef STATLEARN_HOST_H
#define STATLEARN_HOST_H
namespace statlearn_host {
// Call at the start of every glue function that runs core work.
void begin();
}  // namespace statlearn_host
#endif
