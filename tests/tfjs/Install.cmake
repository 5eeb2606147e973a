# The tfjs_install test (a fixture of tst_tfjs_files): installs the pinned @tensorflow/tfjs of
# package-lock.json into DEST (the build folder's tfjs/, never the source tree) with `npm ci`, once
# per lock file. Without npm it installs nothing and says so; tst_tfjs_files then skips its
# TensorFlow.js comparison, saying why. With npm, a failed install fails this test.
#   cmake -DNPM=... -DSOURCE=tests/tfjs -DDEST=build/tfjs -P Install.cmake
file(MAKE_DIRECTORY "${DEST}")
file(COPY "${SOURCE}/package.json" "${SOURCE}/package-lock.json" "${SOURCE}/predict.js" DESTINATION "${DEST}")
if(NOT NPM)
  message(STATUS "npm not found: @tensorflow/tfjs not installed; tst_tfjs_files skips its TensorFlow.js comparison")
  return()
endif()
set(marker "${DEST}/node_modules/.shapeflow-installed-lock.json")
if(EXISTS "${DEST}/node_modules/@tensorflow/tfjs/package.json" AND EXISTS "${marker}")
  file(READ "${marker}" installed)
  file(READ "${SOURCE}/package-lock.json" wanted)
  if(installed STREQUAL wanted)
    message(STATUS "@tensorflow/tfjs already installed in ${DEST} from this package-lock.json")
    return()
  endif()
endif()
# --ignore-scripts: the packages' postinstall scripts (core-js's banner) are not needed to run.
# npm trusts the system's certificate store where there is one (Debian's, which ca-certificates
# keeps with the machine's own authorities), as the rest of the system does, rather than only the
# list node was built with.
set(trust)
if(EXISTS "/etc/ssl/certs/ca-certificates.crt")
  set(trust "--cafile=/etc/ssl/certs/ca-certificates.crt")
endif()
execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --ignore-scripts ${trust}
  WORKING_DIRECTORY "${DEST}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm ci in ${DEST} failed (${rc}): @tensorflow/tfjs could not be installed from the npm registry")
endif()
file(COPY_FILE "${SOURCE}/package-lock.json" "${marker}")
