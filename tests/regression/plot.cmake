# launch/plot.py on two tiny training runs: PNGs exist, are valid and not blank; bad input exits 2.
# Needs Debian's /usr/bin/python3 with python3-h5py and python3-matplotlib.
add_test(NAME plot_script
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/plot_test.sh $<TARGET_FILE:hrgrad-train>
          ${PROJECT_SOURCE_DIR}/launch/plot.py ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(plot_script PROPERTIES TIMEOUT 180 PROCESSORS 2)
