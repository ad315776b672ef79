# launch/study.sh and launch/study_report.py on a tiny study (tests/regression/study_test.sh):
# the report's rows and columns, skipping, resuming, a failing run, bad arguments.
# Serial runs only; needs Debian's /usr/bin/python3 with python3-h5py and python3-matplotlib.
add_test(NAME study_script
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/study_test.sh $<TARGET_FILE_DIR:hrgrad-train>
          ${PROJECT_SOURCE_DIR}/launch ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(study_script PROPERTIES TIMEOUT 420 PROCESSORS 2)
