/**
 * Reads a form post. A body that is not form data (JSON, a broken multipart body, no content
 * type) is the sender's mistake: it gets a 400 with a clear message, never a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new Response("This request could not be read as a form. Please send it again from the page.", {
      status: 400,
      statusText: "Bad Request",
    });
  }
}
