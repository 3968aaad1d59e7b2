package io.taskgate.ingress;

import java.util.List;

/** Ends a request with an RFC 9457 problem response; thrown by the ingress beans. */
public class ProblemException extends RuntimeException {

  private final Problem problem;

  public ProblemException(int status, String slug, String title, String detail) {
    this(status, slug, title, detail, null);
  }

  public ProblemException(
      int status, String slug, String title, String detail, List<Problem.FieldError> errors) {
    super(detail, null, false, false);
    this.problem = new Problem("urn:problem-type:taskgate:" + slug, title, status, detail, errors);
  }

  public Problem problem() {
    return problem;
  }

  public static ProblemException badRequest(String detail, List<Problem.FieldError> errors) {
    return new ProblemException(400, "invalid-request", "Invalid request", detail, errors);
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(404, "not-found", "Not found", detail);
  }
}
