# Fails, naming the files, when a C++ source or header is not formatted as .clang-format says.
# Run by the code_format test: cmake -DCLANG_FORMAT=... -DSOURCE_DIR=... -P CheckFormat.cmake
if(NOT CLANG_FORMAT)
  message(FATAL_ERROR "clang-format was not found: ./shapeflow.sh installs it (Debian's clang-format)")
endif()
set(patterns)
foreach(folder app core ui tests)
  list(APPEND patterns ${SOURCE_DIR}/${folder}/*.cpp ${SOURCE_DIR}/${folder}/*.h)
endforeach()
file(GLOB_RECURSE sources ${patterns})
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${sources}
                RESULT_VARIABLE result ERROR_VARIABLE report OUTPUT_QUIET)
if(NOT result EQUAL 0)
  # One line per file out of format (clang-format says every place; the files are enough).
  string(REGEX MATCHALL "[^\n:]+:[0-9]+:[0-9]+: error" places "${report}")
  set(files)
  foreach(place ${places})
    string(REGEX REPLACE ":[0-9]+:[0-9]+: error$" "" file "${place}")
    list(APPEND files ${file})
  endforeach()
  list(REMOVE_DUPLICATES files)
  list(JOIN files "\n  " listed)
  message(FATAL_ERROR "Not formatted as .clang-format says; run clang-format -i on:\n  ${listed}")
endif()
